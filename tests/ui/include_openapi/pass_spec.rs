rest_mcp::include_openapi!(path = "ok.yaml", name = "Pets", prefix = "ok");

fn main() {
    let api = Pets::new().expect("the spec names a server");
    assert_eq!(api.tool_set().tools()[0].name, "ok_get_pet");
    let _arguments = pets_args::OkGetPetArgs { id: 1 };
}
