use rest_mcp::client::ClientError;

#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(GET "/pets", nmae = "list")]
    async fn list(&self) -> Result<(), ClientError>;

    #[endpoint(GET "/pets/<id>", readonly = true)]
    async fn get(&self, id: u64) -> Result<(), ClientError>;

    #[endpoint(GET "/owners", colour = "red")]
    async fn owners(&self) -> Result<(), ClientError>;
}

fn main() {}
