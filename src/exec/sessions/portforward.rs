//! A port-forward in the background: a local listener whose every connection opens its own
//! port-forward WebSocket to the pod serving now. A pod's forward ends when its pod goes; a
//! Service's moves to another running pod behind it. Whatever ends it is reported, stopping too.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::{Client, ResourceExt};
use tokio::sync::mpsc::UnboundedSender;

use super::super::session::{Asked, Ctx, Session};
use crate::app::forwards::{PfSpec, Report};
use crate::app::{Effect, Input};
use crate::cluster::Kind;
use crate::cluster::portforward::{Counters, carry, listen, probe, resolve};

/// How often the counters are sent while they change (each report draws a frame).
const STATS_EVERY: Duration = Duration::from_millis(500);

/// A Service whose pods are all gone is asked again this often.
const RETRY: Duration = Duration::from_secs(2);

/// One forward.
pub struct Forward(pub PfSpec);

/// Says how the session ended when it is dropped, however that happens (stopped, quitting).
struct Ending {
    inputs: UnboundedSender<Input>,
    id: u64,
    message: String,
    error: bool,
}

impl Drop for Ending {
    fn drop(&mut self) {
        let report = Report::Ended {
            message: std::mem::take(&mut self.message),
            error: self.error,
        };
        let _ = self.inputs.send(Input::PortForward { id: self.id, report });
    }
}

/// Resolves when the pod `name` (uid `uid`) is gone or terminating.
fn gone(client: &Client, namespace: &str, name: &str, uid: String) -> BoxFuture<'static, ()> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let name = name.to_string();
    async move {
        let cond = move |p: Option<&Pod>| {
            p.is_none_or(|p| p.uid().as_deref() != Some(uid.as_str()) || p.metadata.deletion_timestamp.is_some())
        };
        // A watch that fails (connection lost) is started again: only the pod going ends this.
        while kube::runtime::wait::await_condition(api.clone(), &name, cond.clone()).await.is_err() {
            tokio::time::sleep(RETRY).await;
        }
    }
    .boxed()
}

impl Session for Forward {
    const KIND: &'static str = "port-forward";

    fn asked(effect: Effect) -> Result<Asked<Self>, Effect> {
        match effect {
            Effect::PortForward(spec) => Ok(Asked::Start(Some(spec.id), Forward(*spec))),
            Effect::StopPortForwards(ids) => Ok(Asked::StopSome(ids)),
            other => Err(other),
        }
    }

    async fn run(self, ctx: Ctx) {
        let spec = self.0;
        let t = &spec.target;
        let kind = if t.kind == Kind::Service { "svc" } else { "pod" };
        let what = format!("{} → {kind}/{}/{}:{}", spec.local, t.namespace, t.name, spec.remote);
        let mut ending = Ending {
            inputs: ctx.inputs.clone(),
            id: ctx.id,
            message: format!("port-forward {what} stopped"),
            error: false,
        };
        let mut end = |message: String| {
            ending.message = message;
            ending.error = true;
        };
        let Some(client) = ctx.client.clone() else {
            return end(format!("port-forward {what}: not connected"));
        };
        let (mut pod, uid, mut port) = match resolve(&client, t, spec.remote, None).await {
            Ok(found) => found,
            Err(e) => return end(format!("port-forward {what}: {e}")),
        };
        if let Err(e) = probe(&client, &t.namespace, &pod, port).await {
            return end(format!("port-forward {what}: {e}"));
        }
        let listener = match listen(spec.local) {
            Ok(l) => l,
            Err(e) => return end(format!("port-forward {what}: {e}")),
        };
        if let Ok(addr) = listener.local_addr() {
            ctx.send(Input::PortForward { id: ctx.id, report: Report::Listening(addr) });
        }
        ctx.send(Input::PortForward { id: ctx.id, report: Report::Serving(pod.clone(), port) });
        let counters = Arc::new(Counters::default());
        let mut sent = counters.stats();
        let mut tick = tokio::time::interval(STATS_EVERY);
        let mut pod_gone = gone(&client, &t.namespace, &pod, uid);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let (client, ns, pod, counters, inputs, id) =
                        (client.clone(), t.namespace.clone(), pod.clone(), counters.clone(), ctx.inputs.clone(), ctx.id);
                    let cancel = ctx.cancel.child_token();
                    tokio::spawn(async move {
                        tokio::select! {
                            r = carry(client, &ns, &pod, port, stream, counters) => if let Err(e) = r {
                                tracing::debug!(pod, port, "port-forward connection failed: {e}");
                                let _ = inputs.send(Input::PortForward { id, report: Report::Error(e) });
                            },
                            _ = cancel.cancelled() => {}
                        }
                    });
                }
                _ = tick.tick() => {
                    let now = counters.stats();
                    if now != sent {
                        sent = now;
                        ctx.send(Input::PortForward { id: ctx.id, report: Report::Stats(now) });
                    }
                }
                _ = &mut pod_gone => {
                    if t.kind == Kind::Pod {
                        return end(format!("port-forward {what} ended: pod {}/{} is gone", t.namespace, pod));
                    }
                    // A Service's forward moves to another running pod behind it.
                    match resolve(&client, t, spec.remote, Some(&pod)).await {
                        Ok((p, uid, n)) => {
                            (pod, port) = (p, n);
                            pod_gone = gone(&client, &t.namespace, &pod, uid);
                            ctx.send(Input::PortForward { id: ctx.id, report: Report::Serving(pod.clone(), port) });
                        }
                        Err(e) => {
                            ctx.send(Input::PortForward { id: ctx.id, report: Report::Error(e) });
                            pod_gone = async { tokio::time::sleep(RETRY).await }.boxed();
                        }
                    }
                }
            }
        }
    }
}
