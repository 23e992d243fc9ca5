use rest_mcp::client::ClientError;

#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(GET "/a")]
    async fn no_receiver() -> Result<(), ClientError>;

    #[endpoint(GET "/b")]
    async fn by_value(self) -> Result<(), ClientError>;

    #[endpoint(GET "/c")]
    async fn mutable(&mut self) -> Result<(), ClientError>;

    #[endpoint(GET "/d")]
    fn not_async(&self) -> Result<(), ClientError>;
}

fn main() {}
