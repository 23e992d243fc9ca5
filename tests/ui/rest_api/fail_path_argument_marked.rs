use rest_mcp::client::ClientError;

#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(GET "/pets/<id>")]
    async fn a(&self, #[query] id: u64) -> Result<(), ClientError>;

    #[endpoint(PUT "/pets/<id>")]
    async fn b(&self, #[body] id: u64) -> Result<(), ClientError>;

    #[endpoint(GET "/pets/<id>")]
    async fn c(&self, #[header("X-Id")] id: u64) -> Result<(), ClientError>;
}

fn main() {}
