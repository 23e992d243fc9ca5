rest_mcp::include_openapi!(path = "ok.yaml", include_tag = ["pets"], read_only = "yes", name = "not a name");

fn main() {}
