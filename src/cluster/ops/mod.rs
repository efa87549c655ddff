//! Actions that change the cluster, each sending the request kubectl sends for the same command
//! (checked against `kubectl -v=8`), and answering with kubectl's own success or error text.

pub mod drain;
pub mod history;
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
use super::describe::fetch::error_text;

/// The annotation `kubectl rollout restart` sets in the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// One object an action is aimed at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjRef {
    /// Its kind.
    pub kind: Kind,
    /// Its namespace ("" when cluster-scoped).
    pub namespace: String,
    /// Its name.
    pub name: String,
}

impl ObjRef {
    /// A reference to `kind` `namespace`/`name`.
    pub fn new(kind: Kind, namespace: &str, name: &str) -> ObjRef {
        ObjRef {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// How kubectl names it in results: `deployment.apps/web`, `node/worker-1`.
    pub fn kubectl_name(&self) -> String {
        format!("{}/{}", singular_group(self.kind), self.name)
    }

    /// How the API server names it in errors: `deployments.apps "web"`.
    pub fn api_name(&self) -> String {
        format!("{} \"{}\"", resource_group(self.kind), self.name)
    }

    /// `namespace/name`, or the name alone when cluster-scoped.
    pub fn path(&self) -> String {
        if self.namespace.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }
}

fn group(kind: Kind) -> &'static str {
    match kind {
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet => ".apps",
        Kind::Job | Kind::CronJob => ".batch",
        Kind::EndpointSlice => ".discovery.k8s.io",
        _ => "",
    }
}

fn singular_group(kind: Kind) -> String {
    format!("{}{}", kind.name().to_lowercase(), group(kind))
}

fn resource_group(kind: Kind) -> String {
    format!("{}{}", kind.plural(), group(kind))
}

/// Which dependents a delete takes along (kubectl's `--cascade`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    /// Delete now, dependents in the background (kubectl's default).
    #[default]
    Background,
    /// Delete dependents first, then the object.
    Foreground,
    /// Leave dependents behind.
    Orphan,
}

impl Propagation {
    /// The next choice, for a dialog that cycles through them.
    pub fn next(self) -> Propagation {
        match self {
            Propagation::Background => Propagation::Foreground,
            Propagation::Foreground => Propagation::Orphan,
            Propagation::Orphan => Propagation::Background,
        }
    }

    /// kubectl's `--cascade` word.
    pub fn word(self) -> &'static str {
        match self {
            Propagation::Background => "background",
            Propagation::Foreground => "foreground",
            Propagation::Orphan => "orphan",
        }
    }
}

/// A change to the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `kubectl scale --replicas`.
    Scale(u32),
    /// `kubectl rollout restart`.
    Restart,
    /// `kubectl rollout pause`.
    Pause,
    /// `kubectl rollout resume`.
    Resume,
    /// `kubectl delete --cascade --grace-period`.
    Delete {
        /// Dependents.
        propagation: Propagation,
        /// Seconds; None: the object's default.
        grace: Option<u32>,
    },
    /// `kubectl cordon`.
    Cordon,
    /// `kubectl uncordon`.
    Uncordon,
    /// `kubectl drain --ignore-daemonsets --delete-emptydir-data` through the eviction API.
    Drain,
    /// `kubectl rollout undo --to-revision`.
    Rollback(i64),
}

impl Op {
    /// The verb for confirmations and help ("scale to 3").
    pub fn describe(&self) -> String {
        match self {
            Op::Scale(n) => format!("scale to {n} replicas"),
            Op::Restart => "restart (rollout restart)".into(),
            Op::Pause => "pause the rollout".into(),
            Op::Resume => "resume the rollout".into(),
            Op::Delete { propagation, grace } => match grace {
                Some(g) => format!("delete (cascade {}, grace period {g}s)", propagation.word()),
                None => format!("delete (cascade {})", propagation.word()),
            },
            Op::Cordon => "cordon".into(),
            Op::Uncordon => "uncordon".into(),
            Op::Drain => "drain (evict every pod but DaemonSet pods)".into(),
            Op::Rollback(r) => format!("roll back to revision {r}"),
        }
    }

    /// Whether it can take work away from running pods: in a protected context it needs the name typed.
    pub fn destructive(&self) -> bool {
        matches!(self, Op::Delete { .. } | Op::Drain | Op::Rollback(_) | Op::Scale(0))
    }

    /// Whether it starts a rollout worth watching with a status panel.
    pub fn starts_rollout(&self) -> bool {
        matches!(self, Op::Restart | Op::Resume | Op::Rollback(_))
    }
}

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

/// A finished action: kubectl's success line, and whether the object changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Success {
    /// kubectl's line ("deployment.apps/web scaled").
    pub line: String,
    /// False when the object already was as asked (a rollback to the current template, a second
    /// cordon): no rollout follows from it.
    pub changed: bool,
}

impl Success {
    /// The action changed the object.
    pub fn changed(line: impl Into<String>) -> Success {
        Success {
            line: line.into(),
            changed: true,
        }
    }

    /// The object already was as asked; nothing was written.
    pub fn unchanged(line: impl Into<String>) -> Success {
        Success {
            line: line.into(),
            changed: false,
        }
    }
}

/// What an action ended with: its success, or the error as kubectl prints it.
pub type Outcome = Result<Success, String>;

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
    let what = format!("{} \"{}\" {verb}", singular_group(obj.kind), obj.name);
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
