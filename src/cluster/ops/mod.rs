//! Actions that change the cluster, each sending the request kubectl sends for the same command
//! (checked against `kubectl -v=8`), and answering with kubectl's own success or error text.

pub mod drain;
pub mod edit;
pub mod history;
pub mod owner;
pub mod precheck;
pub mod rollback;
pub mod status;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{ApiResource, DeleteParams, DynamicObject, Patch, PatchParams, PropagationPolicy};
use kube::{Api, Client};
use serde_json::{Value, json};

use super::Kind;
use super::errors::explain as error_text;
pub use model::ops::{ObjRef, Op, Outcome, Propagation, Success};

/// The annotation `kubectl rollout restart` sets in the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// The kube-rs resource description of a kind.
pub fn api_resource(kind: Kind) -> ApiResource {
    match kind {
        Kind::Pod => ApiResource::erase::<Pod>(&()),
        Kind::Node => ApiResource::erase::<Node>(&()),
        Kind::Service => ApiResource::erase::<Service>(&()),
        Kind::Deployment => ApiResource::erase::<Deployment>(&()),
        Kind::ReplicaSet => ApiResource::erase::<ReplicaSet>(&()),
        Kind::StatefulSet => ApiResource::erase::<StatefulSet>(&()),
        Kind::DaemonSet => ApiResource::erase::<DaemonSet>(&()),
        Kind::Job => ApiResource::erase::<Job>(&()),
        Kind::CronJob => ApiResource::erase::<CronJob>(&()),
        Kind::Namespace => ApiResource::erase::<Namespace>(&()),
        Kind::Event => ApiResource::erase::<Event>(&()),
        Kind::EndpointSlice => ApiResource::erase::<EndpointSlice>(&()),
        Kind::Other(r) => {
            let r = r.get();
            ApiResource {
                group: r.group.clone(),
                version: r.version.clone(),
                api_version: r.api_version(),
                kind: r.kind.clone(),
                plural: r.plural.clone(),
            }
        }
    }
}

/// An untyped API for the object's kind and namespace.
pub fn dyn_api(client: &Client, obj: &ObjRef) -> Api<DynamicObject> {
    let ar = api_resource(obj.kind);
    if obj.kind.namespaced() {
        Api::namespaced_with(client.clone(), &obj.namespace, &ar)
    } else {
        Api::all_with(client.clone(), &ar)
    }
}

/// GET the object as JSON.
pub async fn get_value(client: &Client, obj: &ObjRef) -> Result<Value, String> {
    let o = dyn_api(client, obj).get(&obj.name).await.map_err(|e| error_text(&e))?;
    Ok(serde_json::to_value(o).unwrap_or_default())
}

/// Perform `op` on `obj` (drain and rollback have their own entry points with progress and dry run).
pub async fn perform(client: &Client, obj: &ObjRef, op: &Op) -> Outcome {
    match op {
        Op::Scale(n) => scale(client, obj, *n).await,
        Op::Restart => restart(client, obj, &rfc3339_now()).await,
        Op::Pause => set_paused(client, obj, true).await,
        Op::Resume => set_paused(client, obj, false).await,
        Op::Delete { propagation, grace } => delete(client, obj, *propagation, *grace).await,
        Op::Cordon => cordon(client, &obj.name, true).await,
        Op::Uncordon => cordon(client, &obj.name, false).await,
        Op::Rollback(rev) => rollback::rollback(client, obj, *rev).await,
        // Without a separate no-retry client, kube-rs's own 429 backoff stands in for the countdown.
        Op::Drain => drain::drain(client, client, &obj.name, &drain::DrainOptions::default(), |_| {}).await,
    }
}

fn patch_params() -> PatchParams {
    PatchParams {
        field_manager: Some("kubedeck".into()),
        ..Default::default()
    }
}

/// `kubectl scale`: a merge patch of the `scale` subresource.
pub async fn scale(client: &Client, obj: &ObjRef, replicas: u32) -> Outcome {
    let patch = json!({"spec": {"replicas": replicas}});
    dyn_api(client, obj)
        .patch_scale(&obj.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| error_text(&e))?;
    Ok(Success::changed(format!("{} scaled", obj.kubectl_name())))
}

/// The time as Go's `time.RFC3339` writes it in local time ("Z" for UTC), as kubectl stamps restarts.
pub fn rfc3339_now() -> String {
    let now = jiff::Zoned::now();
    if now.offset().seconds() == 0 {
        now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        now.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

/// `kubectl rollout restart`: a strategic merge patch of the pod template's `restartedAt` annotation.
pub async fn restart(client: &Client, obj: &ObjRef, at: &str) -> Outcome {
    if !matches!(obj.kind, Kind::Deployment | Kind::StatefulSet | Kind::DaemonSet) {
        return Err(format!(
            "{} is not a Deployment, StatefulSet or DaemonSet",
            obj.kubectl_name()
        ));
    }
    let current = get_value(client, obj).await?;
    if obj.kind == Kind::Deployment && current["spec"]["paused"] == json!(true) {
        return Err(format!(
            "{} can't restart paused deployment (run rollout resume first)",
            obj.api_name()
        ));
    }
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: at}}}}});
    dyn_api(client, obj)
        .patch(&obj.name, &patch_params(), &Patch::Strategic(&patch))
        .await
        .map_err(|e| error_text(&e))?;
    Ok(Success::changed(format!("{} restarted", obj.kubectl_name())))
}

/// `kubectl rollout pause` / `resume`: `{"spec":{"paused":true}}` or `{"spec":{"paused":null}}`.
pub async fn set_paused(client: &Client, obj: &ObjRef, paused: bool) -> Outcome {
    if obj.kind != Kind::Deployment {
        return Err(format!("{} cannot be paused: only Deployments can", obj.kubectl_name()));
    }
    let current = get_value(client, obj).await?;
    let is_paused = current["spec"]["paused"] == json!(true);
    match (paused, is_paused) {
        (true, true) => return Err(format!("{} is already paused", obj.api_name())),
        (false, false) => return Err(format!("{} is not paused", obj.api_name())),
        _ => {}
    }
    let value = if paused { json!(true) } else { Value::Null };
    let patch = json!({"spec": {"paused": value}});
    dyn_api(client, obj)
        .patch(&obj.name, &patch_params(), &Patch::Strategic(&patch))
        .await
        .map_err(|e| error_text(&e))?;
    let verb = if paused { "paused" } else { "resumed" };
    Ok(Success::changed(format!("{} {verb}", obj.kubectl_name())))
}

/// `kubectl delete --cascade=… [--grace-period=N]`: DELETE with DeleteOptions.
pub async fn delete(client: &Client, obj: &ObjRef, propagation: Propagation, grace: Option<u32>) -> Outcome {
    let dp = DeleteParams {
        propagation_policy: Some(match propagation {
            Propagation::Background => PropagationPolicy::Background,
            Propagation::Foreground => PropagationPolicy::Foreground,
            Propagation::Orphan => PropagationPolicy::Orphan,
        }),
        grace_period_seconds: grace,
        ..Default::default()
    };
    dyn_api(client, obj)
        .delete(&obj.name, &dp)
        .await
        .map_err(|e| error_text(&e))?;
    let verb = if grace == Some(0) { "force deleted" } else { "deleted" };
    let what = format!("{} \"{}\" {verb}", obj.kubectl_kind(), obj.name);
    Ok(Success::changed(if obj.namespace.is_empty() {
        what
    } else {
        format!("{what} from {} namespace", obj.namespace)
    }))
}

/// `kubectl cordon` / `uncordon`: `{"spec":{"unschedulable":true}}` or `{"spec":{"unschedulable":null}}`.
pub async fn cordon(client: &Client, node: &str, on: bool) -> Outcome {
    let obj = ObjRef::new(Kind::Node, "", node);
    let current = get_value(client, &obj).await?;
    let already = current["spec"]["unschedulable"] == json!(true);
    let verb = if on { "cordoned" } else { "uncordoned" };
    if already == on {
        return Ok(Success::unchanged(format!("node/{node} already {verb}")));
    }
    let value = if on { json!(true) } else { Value::Null };
    let patch = json!({"spec": {"unschedulable": value}});
    dyn_api(client, &obj)
        .patch(node, &PatchParams::default(), &Patch::Strategic(&patch))
        .await
        .map_err(|e| error_text(&e))?;
    Ok(Success::changed(format!("node/{node} {verb}")))
}
