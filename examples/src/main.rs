//! Placeholder; the examples arrive with the binary issue.
fn main() {}
