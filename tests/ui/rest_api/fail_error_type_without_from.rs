#[derive(Debug)]
pub struct MyError;

#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(GET "/pets")]
    async fn list(&self) -> Result<(), MyError>;
}

fn main() {}
