//! The example pet store: `examples/petstore/openapi.yaml` implemented with axum over
//! in-memory state.
//!
//! Every route lives under [`API_PREFIX`] and requires the header
//! `X-Api-Key: demo-key` ([`API_KEY`]); errors are `application/problem+json`. The store
//! starts with three pets (see [`Store::seeded`]).
//!
//! | route | behaviour |
//! |---|---|
//! | `GET /api/pets?limit=N&status=a,b` | list (limit 1..=100, default 20; statuses comma-separated or repeated) |
//! | `POST /api/pets` | create from JSON `{name, status?, tags?}`, `201` + `Location` |
//! | `GET /api/pets/{petId}` | one pet with an `ETag`, `404` problem when missing |
//! | `PATCH /api/pets/{petId}` | JSON `{name?, status?}`; honours `If-Match` (`412` on mismatch) |
//! | `DELETE /api/pets/{petId}` | `204` |
//! | `PUT /api/pets/{petId}/photo` | multipart `photo` (file) + `caption`; returns `{bytes, caption, filename, contentType}` |
//! | `POST /api/store/orders` | form-urlencoded `petId`, `quantity`, `metadata[key]=value`; `201` order |
//! | `GET /api/store/inventory` | pet counts by status |
//!
//! Request bodies are checked strictly (media type, unknown fields, types) so a client
//! that encodes arguments wrongly gets a `400`/`415` problem saying what was wrong.

mod auth;
mod form;
mod handlers;
mod model;
mod problem;
mod server;

pub use model::{Order, Pet, PetStatus, Store};
pub use server::{PetstoreServer, router, with_access_log};

/// The API key every request must send as `X-Api-Key`.
pub const API_KEY: &str = "demo-key";

/// The path prefix of every route (the spec's server URL ends in `/api`).
pub const API_PREFIX: &str = "/api";

/// The port `petstore-upstream` listens on unless told otherwise (the spec's default).
pub const DEFAULT_PORT: u16 = 8787;
