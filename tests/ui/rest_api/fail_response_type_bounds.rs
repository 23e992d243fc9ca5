use rest_mcp::client::ClientError;

#[derive(serde::Deserialize)]
pub struct NoSchema {
    pub name: String,
}

#[derive(schemars::JsonSchema)]
pub struct NoDeserialize {
    pub name: String,
}

#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(GET "/a")]
    async fn a(&self) -> Result<NoSchema, ClientError>;

    #[endpoint(GET "/b")]
    async fn b(&self) -> Result<NoDeserialize, ClientError>;
}

fn main() {}
