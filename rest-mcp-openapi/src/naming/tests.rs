use super::*;

fn request(explicit: Option<&str>, derived: &str, key: &str) -> NameRequest {
    NameRequest {
        explicit: explicit.map(str::to_owned),
        derived: derived.to_owned(),
        key: key.to_owned(),
        source: SourceRef::new("spec", "/paths"),
    }
}

fn names(requests: &[NameRequest], options: &NamingOptions) -> Vec<String> {
    assign(requests, options, &mut Diagnostics::default()).expect("names")
}

#[test]
fn snake_case_handles_real_operation_ids() {
    for (raw, expected) in [
        ("getUserById", "get_user_by_id"),
        ("repos/get-content", "repos_get_content"),
        ("HTTPServerList", "http_server_list"),
        ("listPets2", "list_pets2"),
        ("GetV1Customers", "get_v1_customers"),
        ("  List users!  ", "list_users"),
        ("already_snake", "already_snake"),
        ("élan", "lan"),
    ] {
        assert_eq!(snake_case(raw), expected, "{raw}");
    }
}

#[test]
fn method_path_names_mark_parameters() {
    assert_eq!(
        method_path_name(HttpMethod::Get, "/users/{userId}/repos"),
        "get_users_by_user_id_repos"
    );
    assert_eq!(method_path_name(HttpMethod::Delete, "/"), "delete");
    assert_eq!(
        method_path_name(HttpMethod::Post, "/v1/customers/{customer}/sources"),
        "post_v1_customers_by_customer_sources"
    );
}

#[test]
fn argument_names_are_safe_property_names() {
    assert_eq!(argument_name("filter[name]"), "filter_name");
    assert_eq!(argument_name("$top"), "top");
    assert_eq!(argument_name("X-Api-Version"), "X-Api-Version");
    assert_eq!(argument_name("page.size"), "page.size");
    assert_eq!(argument_name("[]"), "arg");
    assert_eq!(argument_name(&"a".repeat(80)).len(), 64);
}

#[test]
fn collisions_get_stable_suffixes_and_first_claimant_keeps_the_name() {
    let requests = [
        request(None, "listUsers", "GET /users"),
        request(None, "list_users", "GET /v2/users"),
        request(None, "list-users", "GET /v3/users"),
    ];
    let first = names(&requests, &NamingOptions::default());
    assert_eq!(first[0], "list_users");
    assert!(first[1].starts_with("list_users_") && first[1].len() == "list_users".len() + 7);
    assert_ne!(first[1], first[2]);
    assert_eq!(
        first,
        names(&requests, &NamingOptions::default()),
        "deterministic"
    );
    let more = [requests[0].clone_for_test(), requests[1].clone_for_test()];
    assert_eq!(
        names(&more, &NamingOptions::default())[1],
        first[1],
        "unaffected by later operations"
    );
}

#[test]
fn explicit_names_win_and_are_sanitized() {
    let requests = [
        request(None, "getPet", "GET /pets/{id}"),
        request(Some("get_pet"), "x", "GET /x"),
        request(Some("bad name!"), "y", "GET /y"),
    ];
    let got = names(&requests, &NamingOptions::default());
    assert_eq!(got[1], "get_pet");
    assert!(got[0].starts_with("get_pet_"));
    assert_eq!(got[2], "bad_name_");
}

#[test]
fn long_names_are_shortened_within_the_limit_with_prefix() {
    let long = "get_".to_owned() + &"very_long_segment_".repeat(6);
    let options = NamingOptions {
        prefix: Some("gh".into()),
        max_length: 40,
    };
    let requests = [
        request(None, &long, "GET /a"),
        request(None, &long, "GET /b"),
    ];
    let got = names(&requests, &options);
    for name in &got {
        assert!(
            name.starts_with("gh_") && name.len() <= 40 && is_valid_tool_name(name),
            "{name}"
        );
    }
    assert_ne!(got[0], got[1]);
}

#[test]
fn bad_options_are_errors() {
    let mut diagnostics = Diagnostics::default();
    let bad = NamingOptions {
        prefix: Some("a b".into()),
        max_length: 64,
    };
    assert!(assign(&[], &bad, &mut diagnostics).is_err());
    let bad = NamingOptions {
        prefix: None,
        max_length: 65,
    };
    assert!(assign(&[], &bad, &mut diagnostics).is_err());
    let bad = NamingOptions {
        prefix: Some("p".repeat(20)),
        max_length: 30,
    };
    assert!(assign(&[], &bad, &mut diagnostics).is_err());
}

#[test]
fn validity_rule() {
    assert!(is_valid_tool_name("a-B_9"));
    assert!(!is_valid_tool_name(""));
    assert!(!is_valid_tool_name("a.b"));
    assert!(!is_valid_tool_name(&"a".repeat(65)));
}

impl NameRequest {
    fn clone_for_test(&self) -> NameRequest {
        NameRequest {
            explicit: self.explicit.clone(),
            derived: self.derived.clone(),
            key: self.key.clone(),
            source: self.source.clone(),
        }
    }
}
