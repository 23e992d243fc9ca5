#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(GET "/pets/<1d>")]
    async fn a(&self) -> Result<(), rest_mcp::client::ClientError>;

    #[endpoint(GET "/pets/<id")]
    async fn b(&self, id: u64) -> Result<(), rest_mcp::client::ClientError>;

    #[endpoint(GET "/pets/<>")]
    async fn c(&self) -> Result<(), rest_mcp::client::ClientError>;

    #[endpoint(GET "/pets/{id}")]
    async fn d(&self, id: u64) -> Result<(), rest_mcp::client::ClientError>;
}

fn main() {}
