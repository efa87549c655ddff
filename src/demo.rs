//! The built-in demo cluster, when this build has it (cargo feature `demo`, on by default).

/// Options of `kubedeck demo-server` as the demo cluster takes them.
#[cfg(feature = "demo")]
pub use sim::SimOptions;

/// A running demo cluster, or nothing in a build without it.
#[cfg(feature = "demo")]
pub type Demo = sim::DemoCluster;

/// A build without the demo cluster has no demo to run.
#[cfg(not(feature = "demo"))]
pub enum Demo {}

/// Why a build without the demo cluster cannot start it.
#[cfg(not(feature = "demo"))]
const MISSING: &str = "this kubedeck was built without the demo cluster (cargo feature `demo`); \
    point it at a cluster with --kubeconfig or $KUBECONFIG";

/// Start the demo cluster with `faults` (the `--demo-faults` list) switched on.
#[cfg(feature = "demo")]
pub async fn start(faults: Option<&str>) -> anyhow::Result<Demo> {
    let d = sim::DemoCluster::start(Default::default()).await?;
    if let Some(list) = faults {
        sim::apply_demo_faults(list, d.faults())?;
    }
    Ok(d)
}

/// Start the demo cluster: refused, this build has none.
#[cfg(not(feature = "demo"))]
pub async fn start(_faults: Option<&str>) -> anyhow::Result<Demo> {
    anyhow::bail!(MISSING)
}

/// The kubeconfig (YAML) that reaches the running demo cluster.
pub fn kubeconfig(demo: &Demo) -> kube::config::Kubeconfig {
    #[cfg(feature = "demo")]
    return demo.kubeconfig();
    #[cfg(not(feature = "demo"))]
    match *demo {}
}

/// `kubedeck demo-server`: run the demo cluster alone until interrupted.
#[cfg(feature = "demo")]
pub async fn serve(args: crate::cli::DemoServerArgs) -> anyhow::Result<()> {
    sim::run_demo_server(options(&args), &args.kubeconfig_out, args.demo_faults.as_deref()).await
}

/// The demo cluster options `kubedeck demo-server`'s flags ask for, defaults elsewhere.
#[cfg(feature = "demo")]
pub fn options(args: &crate::cli::DemoServerArgs) -> SimOptions {
    let mut o = SimOptions::default();
    if let Some(n) = args.nodes {
        o.nodes = n;
    }
    if let Some(n) = args.pods {
        o.pods = n;
    }
    if let Some(r) = args.churn {
        o.churn = r;
    }
    if let Some(r) = args.log_rate {
        o.log_rate = r;
    }
    o
}

/// `kubedeck demo-server`: refused, this build has no demo cluster.
#[cfg(not(feature = "demo"))]
pub async fn serve(_args: crate::cli::DemoServerArgs) -> anyhow::Result<()> {
    anyhow::bail!(MISSING)
}
