//! One mistake in the trait gives one error: the trait and a client type are still
//! generated, so code using them does not add follow-on errors.

use rest_mcp::client::ClientError;

#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(GET "/pets/<petid>")]
    async fn get_pet(&self, id: u64) -> Result<String, ClientError>;
}

async fn use_it() -> Result<String, ClientError> {
    let client = PetsClient::new()?;
    let _tools = client.tool_set();
    client.get_pet(1).await
}

fn main() {
    let _ = use_it();
}
