rest_mcp::include_openapi!(path = "broken.json", name = "Broken");

fn main() {}
