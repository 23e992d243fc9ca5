use rest_mcp::client::ClientError;

#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(GET "/pets/<id>")]
    async fn get_pet(&self, id: u64) -> Result<(), ClientError>;

    #[endpoint(GET "/pets/<id>/full", name = "get_pet")]
    async fn get_pet_full(&self, id: u64) -> Result<(), ClientError>;

    #[endpoint(GET "/a", name = "fetch")]
    async fn a(&self) -> Result<(), ClientError>;

    #[endpoint(GET "/b", name = "fetch")]
    async fn b(&self) -> Result<(), ClientError>;
}

fn main() {}
