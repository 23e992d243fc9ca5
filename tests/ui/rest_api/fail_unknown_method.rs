#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(FETCH "/pets")]
    async fn list(&self) -> Result<(), rest_mcp::client::ClientError>;

    #[endpoint(GTE "/pets/<id>")]
    async fn get(&self, id: u64) -> Result<(), rest_mcp::client::ClientError>;

    #[endpoint(post "/pets")]
    async fn add(&self, name: String) -> Result<(), rest_mcp::client::ClientError>;
}

fn main() {}
