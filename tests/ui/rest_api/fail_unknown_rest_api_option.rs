use rest_mcp::client::ClientError;

#[rest_mcp::rest_api(base_url = "https://api.example.com", clinet = "PetStore")]
pub trait Pets {
    #[endpoint(GET "/pets")]
    async fn list(&self) -> Result<(), ClientError>;
}

#[rest_mcp::rest_api(base_uri = "https://api.example.com")]
pub trait Owners {
    #[endpoint(GET "/owners")]
    async fn list(&self) -> Result<(), ClientError>;
}

fn main() {}
