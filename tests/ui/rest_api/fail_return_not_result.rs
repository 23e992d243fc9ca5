#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(GET "/pets")]
    async fn list(&self) -> Vec<String>;

    #[endpoint(DELETE "/pets")]
    async fn clear(&self);
}

fn main() {}
