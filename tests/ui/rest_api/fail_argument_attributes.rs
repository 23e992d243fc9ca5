use rest_mcp::client::ClientError;

#[rest_mcp::rest_api(base_url = "https://api.example.com")]
pub trait Pets {
    #[endpoint(GET "/pets")]
    async fn list(
        &self,
        #[qurey] limit: Option<u32>,
        #[header] trace: Option<String>,
        #[query] #[body] sort: Option<String>,
    ) -> Result<(), ClientError>;

    #[endpiont(GET "/owners")]
    async fn owners(&self) -> Result<(), ClientError>;
}

fn main() {}
