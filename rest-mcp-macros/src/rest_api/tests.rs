//! Unit tests of the whole pipeline on `quote!` inputs: errors are asserted by message,
//! the expansion by key fragments.

use proc_macro2::TokenStream;
use quote::quote;

use super::expand;

/// The `compile_error!` messages of an expansion, in order.
fn errors(output: &TokenStream) -> Vec<String> {
    let text = output.to_string();
    text.split("compile_error ! {")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find('"')?;
            let end = rest[start + 1..].find("\" }")?;
            Some(rest[start + 1..start + 1 + end].replace("\\\"", "\""))
        })
        .collect()
}

fn pets_trait() -> TokenStream {
    quote! {
        pub trait Pets {
            /// Get one pet.
            ///
            /// By id.
            #[endpoint(GET "/pets/<id>")]
            async fn get_pet(&self, id: u64) -> Result<Pet, rest_mcp::client::ClientError>;

            #[endpoint(POST "/pets", name = "add_pet", description = "Add a pet.", read_only = false, destructive = true, idempotent = false)]
            async fn create_pet(&self, #[body] pet: NewPet) -> Result<Pet, MyError>;

            #[endpoint(GET "/pets", hidden)]
            async fn list_pets(&self, limit: Option<u32>, #[header("X-Trace")] trace: Option<String>) -> Result<Vec<Pet>, rest_mcp::client::ClientError>;

            #[endpoint(PATCH "/pets/<id>")]
            async fn rename(&self, id: u64, name: String) -> Result<Pet, rest_mcp::client::ClientError>;

            /// Provided methods stay as written.
            fn helper(&self) -> u8 { 1 }
        }
    }
}

#[test]
fn expands_trait_client_and_impl() {
    let output = expand(quote!(base_url = "https://api.example.com"), pets_trait());
    assert_eq!(errors(&output), Vec::<String>::new());
    let text = output.to_string();
    // The trait, with our attributes gone and the lint allowed.
    assert!(
        text.contains("# [allow (async_fn_in_trait)] pub trait Pets"),
        "{text}"
    );
    assert!(!text.contains("# [endpoint"), "{text}");
    assert!(
        !text.contains("# [body]") && !text.contains("# [header"),
        "{text}"
    );
    // The client.
    for fragment in [
        "pub struct PetsClient",
        "pub const BASE_URL : & 'static str = \"https://api.example.com\"",
        "pub const TITLE : & 'static str = \"Pets\"",
        "pub fn from_client (client : :: rest_mcp :: client :: Client ,) -> :: core :: result :: Result < Self , :: rest_mcp :: client :: ClientError >",
        "let hidden : [bool ; 4usize] = [false , false , true , false]",
        "impl Pets for PetsClient",
    ] {
        assert!(text.contains(fragment), "missing `{fragment}` in {text}");
    }
    // The operations.
    for fragment in [
        "OperationBuilder :: new (\"get_pet\" , :: rest_mcp :: openapi :: HttpMethod :: Get , \"/pets/{id}\")",
        ". docs (\"Get one pet.\\n\\nBy id.\")",
        ". parameter (:: rest_mcp :: openapi :: ParamLocation :: Path , \"id\" , \"id\" , :: rest_mcp :: client :: schema_for :: < u64 > () , true)",
        "OperationBuilder :: new (\"add_pet\" , :: rest_mcp :: openapi :: HttpMethod :: Post , \"/pets\")",
        ". docs (\"Add a pet.\")",
        ". body (\"pet\" , :: rest_mcp :: client :: schema_for :: < NewPet > () , true)",
        ". annotations (:: core :: option :: Option :: Some (false) , :: core :: option :: Option :: Some (true) , :: core :: option :: Option :: Some (false))",
        ". parameter (:: rest_mcp :: openapi :: ParamLocation :: Query , \"limit\" , \"limit\" , :: rest_mcp :: client :: schema_for :: < Option < u32 > > () , false)",
        ". parameter (:: rest_mcp :: openapi :: ParamLocation :: Header , \"X-Trace\" , \"trace\"",
        ". body_field (\"name\" , :: rest_mcp :: client :: schema_for :: < String > () , true)",
        ". response (:: rest_mcp :: client :: success_response :: < Vec < Pet > > ())",
    ] {
        assert!(text.contains(fragment), "missing `{fragment}` in {text}");
    }
    // The typed methods.
    for fragment in [
        "async fn get_pet (& self , id : u64) -> Result < Pet , rest_mcp :: client :: ClientError > {",
        "arguments . insert (:: std :: string :: String :: from (\"id\") , :: rest_mcp :: client :: argument :: < u64 > (\"id\" , & id) ?)",
        "self . inner . call :: < Pet > (1usize , arguments)",
        ":: core :: result :: Result :: map_err (result , < MyError as :: core :: convert :: From < :: rest_mcp :: client :: ClientError >> :: from)",
        "if ! value . is_null ()",
    ] {
        assert!(text.contains(fragment), "missing `{fragment}` in {text}");
    }
    // No bare paths to crates the user may not depend on.
    for krate in ["rmcp", "serde", "serde_json", "schemars"] {
        let uses = text.matches(&format!(" {krate} ::")).count();
        let private = text.matches(&format!(":: __private :: {krate} ::")).count();
        assert_eq!(
            uses, private,
            "`{krate}` not through `::rest_mcp::__private`"
        );
    }
}

#[test]
fn options_rename_the_client_and_title() {
    let output = expand(
        quote!(
            base_url = "http://127.0.0.1:8787/api",
            client = "Store",
            title = "Pet store"
        ),
        quote!(
            trait Pets {}
        ),
    );
    assert_eq!(errors(&output), Vec::<String>::new());
    let text = output.to_string();
    assert!(text.contains("struct Store"), "{text}");
    assert!(text.contains("\"Pet store\""), "{text}");
    assert!(text.contains("impl Pets for Store"), "{text}");
}

#[test]
fn missing_and_unknown_options() {
    let output = expand(
        quote!(base_uri = "https://x"),
        quote!(
            trait Pets {}
        ),
    );
    assert_eq!(
        errors(&output),
        [
            "Unknown field: `base_uri`. Did you mean `base_url`?",
            "#[rest_api] needs the API's base URL: #[rest_api(base_url = \"https://api.example.com\")] (clients can override it at run time)",
        ]
    );
    // Still the trait and a dummy client.
    let text = output.to_string();
    assert!(text.contains("trait Pets"), "{text}");
    assert!(text.contains("struct PetsClient"), "{text}");

    let output = expand(
        quote!("https://x"),
        quote!(
            trait Pets {}
        ),
    );
    assert_eq!(
        errors(&output),
        ["name the option: #[rest_api(base_url = \"https://x\")]"]
    );
    let output = expand(
        quote!(base_url = "api.example.com"),
        quote!(
            trait Pets {}
        ),
    );
    assert!(errors(&output)[0].starts_with("base_url must be an absolute http(s) URL"));
    let output = expand(
        quote!(base_url = "https://x", client = "not a type"),
        quote!(
            trait Pets {}
        ),
    );
    assert!(errors(&output)[0].contains("must name a Rust type"));
}

#[test]
fn errors_accumulate_and_the_trait_survives() {
    let output = expand(
        quote!(base_url = "https://api.example.com"),
        quote! {
            pub trait Pets {
                #[endpoint(FETCH "/pets/<1d>")]
                async fn a(&self) -> Result<(), E>;
                #[endpoint(GTE "/pets/<missing>", nmae = "x")]
                async fn b(&self, #[qurey] x: u8) -> Result<(), E>;
                #[endpoint(GET "/c")]
                fn c(self) -> u8;
                fn d(&self);
            }
        },
    );
    let errors = errors(&output);
    assert_eq!(
        errors,
        [
            "unknown HTTP method `FETCH`: expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
            "path parameter `<1d>` is not a valid identifier: it must be the name of an argument of the method (letters, digits and `_`, not starting with a digit)",
            "unknown HTTP method `GTE`: did you mean `GET`?",
            "Unknown field: `nmae`. Did you mean `name`?",
            "unknown argument attribute `#[qurey]`: did you mean #[query]? endpoint arguments take #[query], #[header(\"X-Name\")] or #[body]",
            "`c` must take `&self`: the generated client implements it, e.g. `async fn c(&self, ...)`",
            "`c` must be an `async fn`: it sends an HTTP request, e.g. `async fn c(&self, ...)`",
            "`c` must return `Result<T, E>`: T is the decoded response body (`()` for none), E an error type with `From<rest_mcp::client::ClientError>`, e.g. `-> Result<Pet, rest_mcp::client::ClientError>`",
            "`d` has no #[endpoint(...)]: every method of a #[rest_api] trait without a default body is an endpoint, e.g. #[endpoint(GET \"/pets/<id>\")]",
            "path parameter `<missing>` has no matching argument: add an argument `missing: ...` to `b`",
        ]
    );
    let text = output.to_string();
    assert!(text.contains("pub trait Pets"), "{text}");
    assert!(
        !text.contains("# [endpoint") && !text.contains("# [qurey]"),
        "{text}"
    );
    // The dummy implements the trait with the user's signatures.
    assert!(text.contains("impl Pets for PetsClient"), "{text}");
    assert!(
        text.contains("fn c (self) -> u8 { :: core :: unimplemented ! () }"),
        "{text}"
    );
}

#[test]
fn endpoint_attribute_shapes() {
    let cases = [
        (
            quote!(
                #[endpoint]
                async fn a(&self) -> Result<(), E>;
            ),
            "#[endpoint] needs an HTTP method and a path, e.g. #[endpoint(GET \"/pets/<id>\")]",
        ),
        (
            quote!(
                #[endpoint("/a")]
                async fn a(&self) -> Result<(), E>;
            ),
            "expected the HTTP method before the path (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS), e.g. #[endpoint(GET \"/pets/<id>\")]",
        ),
        (
            quote!(
                #[endpoint(GET)]
                async fn a(&self) -> Result<(), E>;
            ),
            "expected the path as a string literal after `GET`, e.g. #[endpoint(GET \"/pets/<id>\")]",
        ),
        (
            quote!(
                #[endpoint(GET "/a" name = "x")]
                async fn a(&self) -> Result<(), E>;
            ),
            "expected `,` and then options after the path, e.g. #[endpoint(POST \"/pets\", name = \"add_pet\")]",
        ),
        (
            quote!(
                #[endpoint(get "/a")]
                async fn a(&self) -> Result<(), E>;
            ),
            "unknown HTTP method `get`: methods are written in upper case, `GET`",
        ),
        (
            quote!(
                #[endpoint(GET "/a")]
                async fn a(&self, #[header] x: u8) -> Result<(), E>;
            ),
            "#[header] needs the header's name: #[header(\"X-Request-Id\")]",
        ),
        (
            quote!(
                #[endpoint(GET "/a")]
                async fn a(&self, #[header("X Y")] x: u8) -> Result<(), E>;
            ),
            "\"X Y\" is not a valid header name (letters, digits and `-`, e.g. \"X-Request-Id\")",
        ),
        (
            quote!(
                #[endpoint(GET "/a")]
                async fn a(
                    &self,
                    #[query]
                    #[body]
                    x: u8,
                ) -> Result<(), E>;
            ),
            "an argument takes one of #[query], #[header] and #[body]; this one already has #[query]",
        ),
        (
            quote!(
                #[endpoint(GET "/a")]
                async fn a<T>(&self, x: T) -> Result<(), E>;
            ),
            "`a` cannot be generic: its tool's schema is generated from concrete argument types",
        ),
        (
            quote!(
                #[endpoint(GET "/a")]
                async fn a(&mut self) -> Result<(), E>;
            ),
            "`a` must take `&self`: the generated client implements it, e.g. `async fn a(&self, ...)`",
        ),
        (
            quote!(
                #[endpoint(GET "/a")]
                async fn a(&self) -> Option<u8>;
            ),
            "`a` must return `Result<T, E>`: T is the decoded response body (`()` for none), E an error type with `From<rest_mcp::client::ClientError>`, e.g. `-> Result<Pet, rest_mcp::client::ClientError>`",
        ),
        (
            quote!(
                #[endpoint(GET "/a")]
                async fn a(&self, x: impl Into<u8>) -> Result<(), E>;
            ),
            "an endpoint argument cannot be `impl Trait`: its schema is generated from the concrete type",
        ),
        (
            quote!(
                #[endpoint(GET "/a")]
                async fn a(&self) -> Result<(), E> {
                    todo!()
                }
            ),
            "the #[endpoint] method `a` cannot have a body: the generated client implements it",
        ),
        (
            quote!(
                #[endpoint(GET "/a", hidden = "yes")]
                async fn a(&self) -> Result<(), E>;
            ),
            "Unknown value: `yes`",
        ),
    ];
    for (method, expected) in cases {
        let output = expand(
            quote!(base_url = "https://api.example.com"),
            quote!(trait Api { #method }),
        );
        assert_eq!(errors(&output), [expected], "for {method}");
    }
}

#[test]
fn result_aliases_and_raw_names() {
    let output = expand(
        quote!(base_url = "https://api.example.com"),
        quote! {
            trait Api {
                #[endpoint(GET "/things/<type>")]
                async fn get(&self, r#type: String, #[query("pageSize")] page_size: u32) -> anyhow::Result<()>;
            }
        },
    );
    assert_eq!(errors(&output), Vec::<String>::new());
    let text = output.to_string();
    assert!(text.contains("\"/things/{type}\""), "{text}");
    assert!(
        text.contains("ParamLocation :: Path , \"type\" , \"type\""),
        "{text}"
    );
    assert!(
        text.contains("ParamLocation :: Query , \"pageSize\" , \"page_size\""),
        "{text}"
    );
    assert!(
        text.contains("argument :: < String > (\"type\" , & r#type)"),
        "{text}"
    );
    assert!(
        text.contains("map_err (result , :: core :: convert :: Into :: into)"),
        "{text}"
    );
    // No arguments: no `mut`.
    let output = expand(
        quote!(base_url = "https://api.example.com"),
        quote!(
            trait Api {
                #[endpoint(GET "/ping")]
                async fn ping(&self) -> Result<(), E>;
            }
        ),
    );
    assert!(output.to_string().contains("let arguments = "), "{output}");
}

#[test]
fn not_a_trait() {
    let output = expand(
        quote!(base_url = "https://x"),
        quote!(
            struct Pets;
        ),
    );
    assert_eq!(errors(&output).len(), 1);
    assert!(errors(&output)[0].starts_with("#[rest_api] goes on a trait"));
    assert!(output.to_string().contains("struct Pets ;"));
}
