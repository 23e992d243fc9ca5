// Without `strict`, a spec problem is a warning at the spec path (here denied, to show it):
// the model would otherwise meet an unresolved reference with no word at build time.
#![deny(deprecated)]

rest_mcp::include_openapi!(path = "dangling.yaml", name = "Dangling");

fn main() {}
