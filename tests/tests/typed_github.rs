//! `include_openapi!` with typed methods on GitHub's spec (1,223 operations): the
//! generated client compiles and its argument structs round-trip.

rest_mcp::include_openapi!(
    path = "github.json",
    relative_to = "out_dir",
    name = "GitHubClient"
);

#[test]
fn typed_arguments_round_trip_and_name_the_wire_fields() {
    let arguments = git_hub_client_args::ReposGetArgs {
        owner: "octocat".to_owned(),
        repo: "hello".to_owned(),
    };
    let value = serde_json::to_value(&arguments).expect("serializes");
    assert_eq!(
        value,
        serde_json::json!({"owner": "octocat", "repo": "hello"})
    );
    assert_eq!(GitHubClient::model().operations.len(), 1223);
}
