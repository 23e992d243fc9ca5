//! What only the `rest-mcp` binary needs: the configuration (command line, environment,
//! config file), assembling a served API from it, and logging set-up.

pub mod config;
pub mod logging;
pub mod run;
pub mod served;
pub mod service;
