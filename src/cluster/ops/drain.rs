//! `kubectl drain NODE --ignore-daemonsets --delete-emptydir-data`: cordon, then evict every pod
//! through the Eviction API (so PodDisruptionBudgets are respected: a 429 is retried after a
//! pause, with a visible countdown), skipping DaemonSet and mirror pods, and wait until the pods
//! are gone.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{EvictParams, ListParams};
use kube::{Api, Client};

use super::{Outcome, Success, cordon};
use crate::cluster::errors::explain as error_text;

/// Timing of a drain.
#[derive(Debug, Clone)]
pub struct DrainOptions {
    /// Pause after a 429 before evicting again (kubectl: 5s).
    pub retry: Duration,
    /// How often to check that an evicted pod is gone.
    pub poll: Duration,
}

impl Default for DrainOptions {
    fn default() -> Self {
        DrainOptions {
            retry: Duration::from_secs(5),
            poll: Duration::from_secs(1),
        }
    }
}

/// One line of drain progress; a line with the same `key` replaces the earlier one (countdowns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The pod (`ns/name`) a replaceable line is about.
    pub key: Option<String>,
    /// kubectl's wording.
    pub text: String,
}

fn line(text: String) -> Line {
    Line { key: None, text }
}

fn is_daemonset_pod(p: &Pod) -> bool {
    p.metadata
        .owner_references
        .as_ref()
        .is_some_and(|o| o.iter().any(|r| r.kind == "DaemonSet" && r.controller == Some(true)))
}

fn is_mirror_pod(p: &Pod) -> bool {
    p.metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"))
}

fn has_controller(p: &Pod) -> bool {
    p.metadata
        .owner_references
        .as_ref()
        .is_some_and(|o| o.iter().any(|r| r.controller == Some(true)))
}

fn path(p: &Pod) -> String {
    format!(
        "{}/{}",
        p.metadata.namespace.as_deref().unwrap_or_default(),
        p.metadata.name.as_deref().unwrap_or_default()
    )
}

/// Drain `node`, reporting progress through `emit`; ends with kubectl's summary line or error.
/// Evictions go through `evictor`, a client that returns 429s rather than retrying them itself
/// (`client::no_retry_client`), so that the countdown shown is the real one.
pub async fn drain(
    client: &Client,
    evictor: &Client,
    node: &str,
    opts: &DrainOptions,
    emit: impl Fn(Line) + Sync,
) -> Outcome {
    emit(line(cordon(client, node, true).await?.line));
    let all: Api<Pod> = Api::all(client.clone());
    let pods = all
        .list(&ListParams::default().fields(&format!("spec.nodeName={node}")))
        .await
        .map_err(|e| error_text(&e))?
        .items;
    let daemon: Vec<String> = pods.iter().filter(|p| is_daemonset_pod(p)).map(path).collect();
    let unmanaged: Vec<String> = pods
        .iter()
        .filter(|p| !is_mirror_pod(p) && !has_controller(p))
        .map(path)
        .collect();
    if !unmanaged.is_empty() {
        // kubectl refuses these without --force: evicting them loses them for good.
        return Err(format!(
            "cannot delete Pods that declare no controller (use --force to override): {}",
            unmanaged.join(", ")
        ));
    }
    if !daemon.is_empty() {
        emit(line(format!(
            "Warning: ignoring DaemonSet-managed Pods: {}",
            daemon.join(", ")
        )));
    }
    let targets: Vec<Pod> = pods
        .into_iter()
        .filter(|p| !is_daemonset_pod(p) && !is_mirror_pod(p))
        .collect();
    let results = futures::future::join_all(targets.iter().map(|p| evict_one(client, evictor, p, opts, &emit))).await;
    let failed: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    if !failed.is_empty() {
        return Err(format!("unable to drain node {node:?}: {}", failed.join("; ")));
    }
    Ok(Success::changed(format!("node/{node} drained")))
}

async fn evict_one(
    client: &Client,
    evictor: &Client,
    pod: &Pod,
    opts: &DrainOptions,
    emit: &(impl Fn(Line) + Sync),
) -> Result<(), String> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let uid = pod.metadata.uid.clone();
    let key = Some(format!("{ns}/{name}"));
    let api: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let evict: Api<Pod> = Api::namespaced(evictor.clone(), &ns);
    emit(Line {
        key: key.clone(),
        text: format!("evicting pod {ns}/{name}"),
    });
    loop {
        match evict.evict(&name, &EvictParams::default()).await {
            Ok(_) => break,
            Err(kube::Error::Api(s)) if s.code == 404 => break,
            Err(kube::Error::Api(s)) if s.code == 429 => {
                let mut left = opts.retry;
                while !left.is_zero() {
                    emit(Line {
                        key: key.clone(),
                        text: format!(
                            "error when evicting pods/{name:?} -n {ns:?} (will retry after {}s): {}",
                            left.as_secs_f64().ceil() as u64,
                            s.message
                        ),
                    });
                    let step = left.min(Duration::from_secs(1));
                    tokio::time::sleep(step).await;
                    left -= step;
                }
            }
            Err(e) => {
                return Err(format!(
                    "error when evicting pods/{name:?} -n {ns:?}: {}",
                    error_text(&e)
                ));
            }
        }
    }
    // Evicted: wait until the pod (this uid) is gone, as kubectl does before reporting it.
    loop {
        match api.get_opt(&name).await {
            Ok(Some(p)) if p.metadata.uid == uid => tokio::time::sleep(opts.poll).await,
            Ok(_) => break,
            Err(e) => return Err(error_text(&e)),
        }
    }
    emit(Line {
        key,
        text: format!("pod/{name} evicted"),
    });
    Ok(())
}
