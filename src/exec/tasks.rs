//! The one-shot effects: each runs on a task of its own (or at once, when it is quick and local)
//! and comes back as one `Input`.

use std::sync::Arc;

use kube::Client;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Effect, Input};
use crate::cluster::client::{self, ConnectOptions};
use crate::cluster::ops::{self, history, precheck, rollback};
use crate::store::cache::Cache;

/// Start `effect` (any but the loop's and the sessions'); a request that needs the cluster while
/// there is no connection is answered with an error rather than dropped, when it writes or waits.
pub fn spawn(effect: Effect, cache: Option<&Arc<Cache>>, no_retry: Option<&kube::Client>, tx: &UnboundedSender<Input>) {
    let client = cache.map(|c| c.client().clone());
    let no_retry = no_retry.cloned().or_else(|| client.clone());
    let tx = tx.clone();
    match effect {
        Effect::Fetch {
            kind,
            namespace,
            name,
            describe,
        } => {
            let Some(client) = client else { return };
            tokio::spawn(async move {
                let result = crate::cluster::describe::fetch::fetch(client, kind, &namespace, &name, describe).await;
                let target = crate::app::text::Target {
                    kind,
                    namespace,
                    name,
                    describe,
                };
                let _ = tx.send(Input::Fetched { target, result });
            });
        }
        Effect::Gather { from, lists, why } => {
            let Some(client) = client else { return };
            tokio::spawn(async move {
                let result = crate::cluster::related::gather(&client, &from, &lists).await;
                let _ = tx.send(Input::Gathered { from, why, result });
            });
        }
        Effect::FetchControlPlane => {
            let Some(client) = client else { return };
            tokio::spawn(async move {
                let report = crate::cluster::health::fetch::fetch(&client).await;
                let _ = tx.send(Input::ControlPlane(Box::new(report)));
            });
        }
        Effect::FetchNodeHealth(node) => {
            let (Some(client), Some(metrics)) = (client, no_retry) else {
                return;
            };
            tokio::spawn(async move {
                let health = crate::cluster::nodehealth::fetch(&client, &metrics, &node).await;
                let _ = tx.send(Input::NodeHealth(Box::new(health)));
            });
        }
        Effect::Exec {
            pod,
            container,
            command,
            title,
        } => {
            let Some(client) = client else {
                let result = Err("exec: not connected to a cluster".into());
                let _ = tx.send(Input::ExecOutput { title, result });
                return;
            };
            tokio::spawn(async move {
                let result = crate::exec::run_cmd::run(client, pod, container, command).await;
                let _ = tx.send(Input::ExecOutput { title, result });
            });
        }
        Effect::PortForwardInfo { target, container } => {
            let Some(client) = client else {
                let _ = tx.send(Input::Error("port-forward: not connected".into()));
                return;
            };
            tokio::spawn(async move {
                let result = crate::cluster::portforward::declared(&client, &target, container.as_deref()).await;
                let _ = tx.send(Input::PortForwardInfo { target, result });
            });
        }
        Effect::CheckNamespace(ns) => {
            let Some(cache) = cache.cloned() else { return };
            tokio::spawn(async move {
                let exists = crate::cluster::namespaces::exists(&cache, &ns).await;
                let _ = tx.send(Input::NamespaceChecked { namespace: ns, exists });
            });
        }
        other => workload(other, client, tx),
    }
}

/// Read discovery with `client`, one that does not retry: an aggregated group whose service is
/// down answers 503 at once and for good (kubectl does not retry it either), and retrying it would
/// hold the whole registry back by seconds.
pub fn discover(context: String, client: Option<Client>, tx: &UnboundedSender<Input>) {
    let Some(client) = client else {
        // Answered, so the screen does not wait for it for ever.
        let result = Err("discovery: not connected to a cluster".into());
        let _ = tx.send(Input::Discovered { context, result });
        return;
    };
    let tx = tx.clone();
    tokio::spawn(async move {
        let result = crate::cluster::discovery::discover(&client).await;
        let _ = tx.send(Input::Discovered { context, result });
    });
}

/// The workload actions: mutations, the rollback dry run, the scale dialog's facts, the history.
fn workload(effect: Effect, client: Option<Client>, tx: UnboundedSender<Input>) {
    let Some(client) = client else {
        // Not connected: say so rather than drop the request silently.
        if effect.writes()
            || matches!(
                effect,
                Effect::ScaleInfo(_) | Effect::LoadHistory(_) | Effect::FindOwner(_)
            )
        {
            let _ = tx.send(Input::Error("not connected to a cluster".into()));
        }
        return;
    };
    match effect {
        Effect::Mutate { target, op } => {
            tokio::spawn(async move {
                let result = ops::perform(&client, &target, &op).await;
                let _ = tx.send(Input::Done { target, op, result });
            });
        }
        Effect::DryRunRollback { target, revision } => {
            tokio::spawn(async move {
                let result = rollback::dry_run(&client, &target, revision).await;
                let _ = tx.send(Input::DryRun {
                    target,
                    revision,
                    result,
                });
            });
        }
        Effect::ScaleInfo(target) => {
            tokio::spawn(async move {
                let result = precheck::scale_info(&client, &target).await;
                let _ = tx.send(Input::ScaleInfo { target, result });
            });
        }
        Effect::FindOwner(target) => {
            tokio::spawn(async move {
                let result = ops::owner::owners(&client, &target).await;
                let _ = tx.send(Input::Owners { target, result });
            });
        }
        Effect::LoadHistory(target) => {
            tokio::spawn(async move {
                let result = history::load(&client, &target).await;
                let _ = tx.send(Input::History { target, result });
            });
        }
        _ => {}
    }
}

/// Put `text` on the clipboard; written between frames, so the escape sequence never lands inside one.
pub fn copy(text: &str, target: crate::clipboard::Target) -> Input {
    match crate::clipboard::copy(text, target) {
        // A log selection can be long: say how much rather than echo it.
        Ok(how) if text.contains('\n') || text.chars().count() > 80 => {
            Input::Notice(format!("copied {} lines ({how})", text.lines().count()))
        }
        Ok(how) => Input::Notice(format!("copied {text} ({how})")),
        Err(e) => Input::Error(format!("copy failed: {e}")),
    }
}

/// The kubeconfig's contexts and the one in use.
pub fn contexts(opts: &ConnectOptions) -> Input {
    match client::load_kubeconfig(opts) {
        Ok(kc) => {
            let (names, current) = client::contexts(&kc);
            Input::Contexts(names, opts.context.clone().or(current))
        }
        Err(e) => Input::Error(crate::cluster::errors::explain_any(&e)),
    }
}
