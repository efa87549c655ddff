//! The demo cluster: a Kubernetes API server simulation served over HTTPS on loopback.
#![deny(missing_docs)]

mod admin;
mod admission;
mod agents;
mod attach;
mod controllers;
mod crd;
mod defaults;
mod delete;
mod discovery;
mod ephemeral;
mod events;
mod evict;
mod exec;
mod exec_shell;
mod fault_list;
mod faults;
mod health;
mod hostile;
pub mod http_responder;
mod index;
mod logs;
mod managed;
mod metrics;
mod openapi;
mod options;
mod patch;
mod podsecurity;
mod portforward;
mod proto;
mod request;
mod resources;
mod rest;
mod scenario;
mod select;
mod server;
mod status;
mod store;
mod strict;
mod table;
mod tls;
mod validate;
mod watch;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use kube::config::{KubeConfigOptions, Kubeconfig};
use tokio_util::sync::CancellationToken;

pub use fault_list::{apply_demo_faults, parse_size};
pub use faults::{Deny, Faults, Webhook};
pub use health::{checks as health_checks, render as render_health};
pub use hostile::huge_line;
pub use metrics::{RESOLUTION_SECS as METRICS_RESOLUTION_SECS, Usage as ContainerUsage, pod_usage, sample_at};
pub use options::SimOptions;
use request::SimState;
pub use resources::res;
pub use scenario::load as load_scenario;
pub use server::{ADMIN_TOKEN, RESTRICTED_TOKEN};
pub use store::{Origin, Store};
pub use tls::make_certs;

/// A running demo cluster. Dropping it stops the server and its controllers.
pub struct DemoCluster {
    state: Arc<SimState>,
    ca_pem: String,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// Context name of the administrator in the kubeconfig the demo cluster writes.
pub const ADMIN_CONTEXT: &str = "kubedeck-demo";
/// Context name of the restricted user "jane".
pub const RESTRICTED_CONTEXT: &str = "kubedeck-demo-jane";

impl DemoCluster {
    /// Loads the scenario, starts the controllers and serves on 127.0.0.1 with an ephemeral port.
    pub async fn start(opts: SimOptions) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding 127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let store = Arc::new(Store::new(opts.watch_window));
        let faults = Arc::new(Faults::default());
        let shutdown = CancellationToken::new();
        let ctx = controllers::Ctx {
            store: store.clone(),
            faults: faults.clone(),
            opts: opts.clone(),
            cancel: shutdown.clone(),
        };
        scenario::load(&ctx.store, &opts);
        let on_store = store.clone();
        faults.on_metrics_change(Box::new(move |down| scenario::set_metrics_available(&on_store, !down)));
        controllers::spawn_all(&ctx);
        let state = Arc::new(SimState {
            store,
            faults,
            shutdown: shutdown.clone(),
            addr,
            log_rate: opts.log_rate,
            agents: Default::default(),
        });
        let certs = tls::make_certs()?;
        // A restarted server comes back with its watch history gone, as after an etcd compaction:
        // every watch resumed from before the restart gets 410 Gone and must list again.
        let store = state.store.clone();
        let back = Box::new(move || store.compact());
        let listener = tls::TlsListener::new(listener, certs.server, shutdown.clone(), state.faults.clone(), back)?;
        let app = server::router(state.clone());
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown.cancelled_owned())
                .await;
            if let Err(e) = served {
                tracing::error!("demo cluster server stopped: {e}");
            }
        });
        Ok(DemoCluster {
            state,
            ca_pem: certs.ca_pem,
            server: Some(server),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.state.addr
    }

    /// Its URL, e.g. `https://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("https://{}", self.state.addr)
    }

    /// The object store (tests read and change it directly).
    pub fn store(&self) -> &Arc<Store> {
        &self.state.store
    }

    /// The fault switches.
    pub fn faults(&self) -> &Arc<Faults> {
        &self.state.faults
    }

    /// The User-Agent of every request answered so far, with its request count.
    pub fn user_agents(&self) -> std::collections::BTreeMap<String, u64> {
        self.state.agents.seen()
    }

    /// A kubeconfig with two contexts: the administrator (current) and the restricted user "jane".
    pub fn kubeconfig_yaml(&self) -> String {
        use base64::Engine as _;
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca_pem);
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: kubedeck-demo\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\n\
             contexts:\n- name: {ADMIN_CONTEXT}\n  context:\n    cluster: kubedeck-demo\n    user: admin\n    namespace: shop\n\
             - name: {RESTRICTED_CONTEXT}\n  context:\n    cluster: kubedeck-demo\n    user: jane\n    namespace: shop\n\
             current-context: {ADMIN_CONTEXT}\nusers:\n- name: admin\n  user:\n    token: {ADMIN_TOKEN}\n\
             - name: jane\n  user:\n    token: {RESTRICTED_TOKEN}\n",
            url = self.url()
        )
    }

    /// The kubeconfig, parsed.
    pub fn kubeconfig(&self) -> Kubeconfig {
        Kubeconfig::from_yaml(&self.kubeconfig_yaml()).expect("the demo kubeconfig is valid")
    }

    /// Writes the kubeconfig to a file readable only by its owner.
    pub fn write_kubeconfig(&self, path: &Path) -> anyhow::Result<()> {
        use std::io::Write as _;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts
            .open(path)
            .with_context(|| format!("writing kubeconfig {}", path.display()))?;
        f.write_all(self.kubeconfig_yaml().as_bytes())?;
        Ok(())
    }

    /// A kube-rs client for a context of the kubeconfig.
    pub async fn client_for(&self, context: &str) -> anyhow::Result<kube::Client> {
        let opts = KubeConfigOptions {
            context: Some(context.to_string()),
            ..Default::default()
        };
        let config = kube::Config::from_custom_kubeconfig(self.kubeconfig(), &opts).await?;
        Ok(kube::Client::try_from(config)?)
    }

    /// A kube-rs client for the administrator.
    pub async fn client(&self) -> anyhow::Result<kube::Client> {
        self.client_for(ADMIN_CONTEXT).await
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        self.state.shutdown.cancel();
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
    }
}

impl Drop for DemoCluster {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
    }
}

/// `kubedeck demo-server`: serves until interrupted, with its kubeconfig written to a file.
pub async fn run_demo_server(opts: SimOptions, kubeconfig_out: &Path, faults: Option<&str>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let cluster = DemoCluster::start(opts).await?;
    if let Some(list) = faults {
        fault_list::apply_demo_faults(list, cluster.faults())?;
    }
    cluster.write_kubeconfig(kubeconfig_out)?;
    eprintln!(
        "demo cluster serving on {} (loaded in {:.1?}); kubeconfig: {}\nuse it with: kubectl --kubeconfig {} get pods -A\n\
         faults (freeze, restart, confine): POST {}/sim/faults/... with the administrator's token (README: When the cluster misbehaves)",
        cluster.url(),
        started.elapsed(),
        kubeconfig_out.display(),
        kubeconfig_out.display(),
        cluster.url()
    );
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    cluster.stop().await;
    Ok(())
}
