use rest_mcp::client::ClientError;

#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(POST "/pets")]
    async fn add(&self, #[body] pet: String, #[body] owner: String) -> Result<(), ClientError>;

    #[endpoint(POST "/owners")]
    async fn add_owner(&self, #[body] owner: String, nickname: String) -> Result<(), ClientError>;
}

fn main() {}
