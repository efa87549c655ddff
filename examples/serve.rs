#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sim::run_demo_server(
        sim::SimOptions::default(),
        std::path::Path::new("/tmp/demo.kubeconfig"),
        None,
    )
    .await
}
