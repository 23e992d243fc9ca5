use rest_mcp::client::ClientError;

#[rest_mcp::rest_api]
pub trait Pets {
    #[endpoint(GET "/pets")]
    async fn list(&self) -> Result<(), ClientError>;
}

#[rest_mcp::rest_api("https://api.example.com")]
pub trait Owners {
    #[endpoint(GET "/owners")]
    async fn list(&self) -> Result<(), ClientError>;
}

fn main() {}
