// A reference to a schema that does not exist is a warning for the binary; `strict = true`
// makes it a compile error naming where it is.
rest_mcp::include_openapi!(path = "dangling.yaml", name = "Dangling", strict = true);

fn main() {}
