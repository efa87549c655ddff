#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kubedeck::sim::run_demo_server(
        kubedeck::sim::SimOptions::default(),
        std::path::Path::new("/tmp/demo.kubeconfig"),
        None,
    )
    .await
}
