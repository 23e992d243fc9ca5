#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(GET "/pets/<petid>")]
    async fn get_pet(&self, pet_id: u64) -> Result<(), rest_mcp::client::ClientError>;

    #[endpoint(GET "/owners/<owner>/pets")]
    async fn list_pets(&self) -> Result<(), rest_mcp::client::ClientError>;
}

fn main() {}
