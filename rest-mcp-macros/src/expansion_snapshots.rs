//! Snapshots of both macros' whole expansions, pretty-printed, so that any change to the
//! generated code shows up as a reviewable diff of a file in `src/snapshots/`.
//!
//! A test fails when its expansion differs from the committed snapshot. insta writes
//! nothing under `CI=true`; elsewhere it leaves the new expansion beside the old one as a
//! `.snap.new` file. After reviewing a deliberate change, accept it with
//! `INSTA_UPDATE=always cargo test -p rest-mcp-macros` (or `cargo insta review`) and commit
//! the updated `.snap` file.

use proc_macro2::TokenStream;
use quote::quote;

/// An expansion as a file of items.
fn parse(tokens: TokenStream) -> syn::File {
    syn::parse2(tokens).expect("the expansion is a list of items")
}

/// The string `MODEL_JSON` is set to in `file`'s impl block, replaced there by `placeholder`.
fn take_model_json(file: &mut syn::File, placeholder: &str) -> String {
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        for item in &mut block.items {
            if let syn::ImplItem::Const(constant) = item
                && constant.ident == "MODEL_JSON"
            {
                let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(json),
                    ..
                }) = &constant.expr
                else {
                    panic!("MODEL_JSON is not a string literal");
                };
                let json = json.value();
                constant.expr = syn::parse_quote!(#placeholder);
                return json;
            }
        }
    }
    panic!("the expansion has no MODEL_JSON");
}

#[test]
fn include_openapi_on_the_pet_store() {
    // The pet store the `openapi-server` example serves, resolved (like any relative
    // spec path) against this crate's manifest directory.
    let mut file = parse(crate::include_openapi::expand(
        quote!(
            path = "../examples/petstore/openapi.yaml",
            name = "Petstore"
        ),
        None,
    ));
    // The embedded model is one long line of JSON: it gets a snapshot of its own, one
    // value a line. The literal must be compact JSON, so that snapshot pins it exactly.
    let json = take_model_json(&mut file, "[the model: see the _model snapshot]");
    let model: serde_json::Value = serde_json::from_str(&json).expect("MODEL_JSON is JSON");
    assert_eq!(
        serde_json::to_string(&model).expect("serializes"),
        json,
        "MODEL_JSON is no longer compact JSON"
    );
    // `include_bytes!` names the spec by its absolute path: keep the snapshot the same on
    // every machine.
    let text = prettyplease::unparse(&file);
    let text = text.replace(env!("CARGO_MANIFEST_DIR"), "$CARGO_MANIFEST_DIR");
    assert!(!text.contains("compile_error"), "{text}");
    insta::assert_snapshot!(text);
    // The model's source locations name the spec file by its absolute path too.
    let model_text = serde_json::to_string_pretty(&model)
        .expect("serializes")
        .replace(env!("CARGO_MANIFEST_DIR"), "$CARGO_MANIFEST_DIR");
    insta::assert_snapshot!("include_openapi_on_the_pet_store_model", model_text);
}

#[test]
fn rest_api_on_a_small_trait() {
    let tokens = crate::rest_api::expand(
        quote!(base_url = "https://petstore.example.com/v1"),
        quote! {
            pub trait Pets {
                /// Get one pet by its id.
                #[endpoint(GET "/pets/<id>")]
                async fn get_pet(&self, id: u64) -> Result<Pet, rest_mcp::client::ClientError>;

                /// Add a pet to the store.
                #[endpoint(POST "/pets")]
                async fn add_pet(&self, #[body] pet: NewPet) -> Result<Pet, rest_mcp::client::ClientError>;
            }
        },
    );
    let text = prettyplease::unparse(&parse(tokens));
    assert!(!text.contains("compile_error"), "{text}");
    insta::assert_snapshot!(text);
}
