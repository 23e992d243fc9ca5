use rest_mcp::endpoint;

pub struct Pets;

impl Pets {
    #[endpoint(GET "/pets")]
    pub async fn list(&self) -> Result<(), rest_mcp::client::ClientError> {
        Ok(())
    }
}

fn main() {}
