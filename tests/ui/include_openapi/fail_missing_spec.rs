rest_mcp::include_openapi!("does-not-exist.yaml");

fn main() {}
