use rest_mcp::client::ClientError;

#[derive(schemars::JsonSchema)]
pub struct NewPet {
    pub name: String,
}

#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(POST "/pets")]
    async fn add(&self, #[body] pet: NewPet) -> Result<(), ClientError>;
}

fn main() {}
