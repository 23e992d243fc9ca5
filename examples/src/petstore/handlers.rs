//! The route handlers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::API_PREFIX;
use super::form::{list_query, order_form};
use super::model::{Pet, PetStatus, Store, UpdateError};
use super::problem::Problem;

type Handled = Result<Response, Problem>;

/// `GET /pets`.
pub(crate) async fn list_pets(
    State(store): State<Store>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Handled {
    let query = list_query(&pairs).map_err(Problem::bad_request)?;
    let pets: Vec<Pet> = store
        .pets()
        .into_iter()
        .filter(|pet| {
            query.statuses.is_empty() || pet.status.is_some_and(|s| query.statuses.contains(&s))
        })
        .take(query.limit)
        .collect();
    Ok(Json(pets).into_response())
}

/// The body of `POST /pets` (the spec's `NewPet`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPet {
    name: String,
    status: Option<PetStatus>,
    #[serde(default)]
    tags: Vec<String>,
}

/// `POST /pets`.
pub(crate) async fn create_pet(
    State(store): State<Store>,
    headers: HeaderMap,
    body: Bytes,
) -> Handled {
    let new: NewPet = json_body(&headers, &body)?;
    if new.name.trim().is_empty() {
        return Err(Problem::bad_request("name must not be empty"));
    }
    let pet = store.insert(new.name, new.status, new.tags);
    let location = format!("{API_PREFIX}/pets/{}", pet.id);
    let mut response = (StatusCode::CREATED, Json(pet)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// `GET /pets/{petId}`.
pub(crate) async fn get_pet(State(store): State<Store>, Path(id): Path<String>) -> Handled {
    let id = pet_id(&id)?;
    let (pet, version) = store.get_versioned(id).ok_or(Problem::no_pet(id))?;
    Ok(with_etag(Json(pet).into_response(), version))
}

/// The body of `PATCH /pets/{petId}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PetChange {
    name: Option<String>,
    status: Option<PetStatus>,
}

/// `PATCH /pets/{petId}`, honouring `If-Match`.
pub(crate) async fn update_pet(
    State(store): State<Store>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Handled {
    let id = pet_id(&id)?;
    let change: PetChange = json_body(&headers, &body)?;
    if change.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(Problem::bad_request("name must not be empty"));
    }
    let expected = match headers.get(header::IF_MATCH) {
        None => None,
        Some(value) => parse_if_match(value).ok_or_else(|| {
            Problem::new(
                StatusCode::PRECONDITION_FAILED,
                format!("If-Match {value:?} is not a version of this pet"),
            )
        })?,
    };
    let updated = store.update(id, expected, |pet| {
        if let Some(name) = change.name {
            pet.name = name;
        }
        if let Some(status) = change.status {
            pet.status = Some(status);
        }
    });
    match updated {
        Ok((pet, version)) => Ok(with_etag(Json(pet).into_response(), version)),
        Err(UpdateError::Missing) => Err(Problem::no_pet(id)),
        Err(UpdateError::VersionMismatch(current)) => Err(Problem::new(
            StatusCode::PRECONDITION_FAILED,
            format!("If-Match does not match the current version \"{current}\""),
        )),
    }
}

/// `DELETE /pets/{petId}`.
pub(crate) async fn delete_pet(State(store): State<Store>, Path(id): Path<String>) -> Handled {
    let id = pet_id(&id)?;
    if store.remove(id) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(Problem::no_pet(id))
    }
}

/// `PUT /pets/{petId}/photo` (multipart: `photo` file, optional `caption`).
pub(crate) async fn upload_photo(
    State(store): State<Store>,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Handled {
    let id = pet_id(&id)?;
    let mut multipart = multipart.map_err(|e| {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected a multipart/form-data body: {e}"),
        )
    })?;
    let mut photo = None;
    let mut caption = None;
    let bad_body = |e: axum::extract::multipart::MultipartError| {
        Problem::bad_request(format!("malformed multipart body: {e}"))
    };
    while let Some(field) = multipart.next_field().await.map_err(bad_body)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "photo" => {
                let filename = field.file_name().map(str::to_owned);
                let content_type = field.content_type().map(str::to_owned);
                let bytes = field.bytes().await.map_err(bad_body)?;
                photo = Some((bytes.len(), filename, content_type));
            }
            "caption" => caption = Some(field.text().await.map_err(bad_body)?),
            other => {
                return Err(Problem::bad_request(format!(
                    "unknown multipart field {other:?}"
                )));
            }
        }
    }
    let (bytes, filename, content_type) =
        photo.ok_or_else(|| Problem::bad_request("missing required multipart field photo"))?;
    if !store.set_photo(id, bytes) {
        return Err(Problem::no_pet(id));
    }
    Ok(Json(json!({
        "bytes": bytes,
        "caption": caption,
        "filename": filename,
        "contentType": content_type,
    }))
    .into_response())
}

/// `POST /store/orders` (form-urlencoded, `metadata[key]=value`).
pub(crate) async fn place_order(
    State(store): State<Store>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Handled {
    let Form(pairs) = form.map_err(|e| {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected an application/x-www-form-urlencoded body: {e}"),
        )
    })?;
    let order = order_form(&pairs).map_err(Problem::bad_request)?;
    let order = store
        .place_order(order.pet_id, order.quantity, order.metadata)
        .ok_or(Problem::no_pet(order.pet_id))?;
    Ok((StatusCode::CREATED, Json(order)).into_response())
}

/// `GET /store/inventory`.
pub(crate) async fn inventory(State(store): State<Store>) -> Response {
    Json(store.inventory()).into_response()
}

/// Any other path under the prefix.
pub(crate) async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "no such route")
}

/// Parses a `petId` path segment.
fn pet_id(raw: &str) -> Result<i64, Problem> {
    raw.parse()
        .map_err(|_| Problem::bad_request(format!("petId must be an integer, got {raw:?}")))
}

/// Parses a JSON request body, insisting on a JSON media type.
fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, Problem> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media != "application/json" && !media.ends_with("+json") {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected an application/json body, got content-type {media:?}"),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| Problem::bad_request(format!("invalid JSON body: {e}")))
}

/// `If-Match` → `Some(None)` for `*`, `Some(Some(v))` for `"v"`/`W/"v"`/`v`, `None` if
/// unreadable.
fn parse_if_match(value: &HeaderValue) -> Option<Option<u64>> {
    let value = value.to_str().ok()?.trim();
    if value == "*" {
        return Some(None);
    }
    let value = value.strip_prefix("W/").unwrap_or(value).trim_matches('"');
    value.parse().ok().map(Some)
}

fn with_etag(mut response: Response, version: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_forms() {
        let parse = |s: &'static str| parse_if_match(&HeaderValue::from_static(s));
        assert_eq!(parse("*"), Some(None));
        assert_eq!(parse("\"3\""), Some(Some(3)));
        assert_eq!(parse("W/\"3\""), Some(Some(3)));
        assert_eq!(parse("3"), Some(Some(3)));
        assert_eq!(parse("abc"), None);
    }
}
