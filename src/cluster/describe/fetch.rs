//! GET one object fresh (never from the trimmed cache) plus what its describe needs.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod, Service};
use kube::api::ListParams;
use kube::{Api, Client};
use serde_json::Value;

use super::Related;
use crate::cluster::Kind;

/// A fetched object: the full JSON (managedFields included) and, for describe, its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// The whole object as the server sent it (through its typed struct).
    pub object: Value,
    /// The describe text, when asked for.
    pub describe: Option<Vec<String>>,
}

/// kubectl's wording of an API error (`Error from server (NotFound): pods "x" not found`), any
/// other failure in words ([`crate::cluster::errors::explain`]).
pub fn error_text(e: &kube::Error) -> String {
    crate::cluster::errors::explain(e)
}

async fn get_json<K>(api: Api<K>, name: &str) -> Result<Value, kube::Error>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let obj = api.get(name).await?;
    Ok(serde_json::to_value(&obj).unwrap_or_default())
}

/// GET the object; for describe, also list its events (and a node's pods and lease, a workload's
/// ReplicaSets or pods) and render the describe text.
pub async fn fetch(client: Client, kind: Kind, ns: &str, name: &str, describe: bool) -> Result<Fetched, String> {
    let c = client.clone();
    let object = match kind {
        Kind::Pod => get_json(Api::<Pod>::namespaced(c, ns), name).await,
        Kind::Node => get_json(Api::<Node>::all(c), name).await,
        Kind::Service => get_json(Api::<Service>::namespaced(c, ns), name).await,
        Kind::Deployment => get_json(Api::<Deployment>::namespaced(c, ns), name).await,
        Kind::ReplicaSet => get_json(Api::<ReplicaSet>::namespaced(c, ns), name).await,
        Kind::StatefulSet => get_json(Api::<StatefulSet>::namespaced(c, ns), name).await,
        Kind::DaemonSet => get_json(Api::<DaemonSet>::namespaced(c, ns), name).await,
        Kind::Job => get_json(Api::<Job>::namespaced(c, ns), name).await,
        Kind::CronJob => get_json(Api::<CronJob>::namespaced(c, ns), name).await,
        Kind::Namespace => get_json(Api::<Namespace>::all(c), name).await,
        Kind::Event => get_json(Api::<Event>::namespaced(c, ns), name).await,
        Kind::EndpointSlice => {
            get_json(
                Api::<k8s_openapi::api::discovery::v1::EndpointSlice>::namespaced(c, ns),
                name,
            )
            .await
        }
        Kind::Other(_) => {
            let obj = crate::cluster::ops::ObjRef::new(kind, ns, name);
            crate::cluster::ops::dyn_api(&c, &obj)
                .get(name)
                .await
                .map(|o| serde_json::to_value(o).unwrap_or_default())
        }
    }
    .map_err(|e| error_text(&e))?;
    if !describe {
        return Ok(Fetched { object, describe: None });
    }
    let rel = related(client, kind, ns, name, &object)
        .await
        .map_err(|e| error_text(&e))?;
    let text = super::describe(kind, &object, &rel, Timestamp::now()).map_err(|e| e.to_string())?;
    Ok(Fetched {
        object,
        describe: Some(text),
    })
}

/// The objects a describe shows besides the object itself.
pub async fn related(client: Client, kind: Kind, ns: &str, name: &str, obj: &Value) -> Result<Related, kube::Error> {
    let mut rel = Related::default();
    let uid = obj["metadata"]["uid"].as_str().unwrap_or_default();
    // kubectl searches by the involved object's name, namespace, kind and uid; node events
    // carry the node name as uid in real clusters, so nodes are matched by name and kind only.
    let fields = if kind == Kind::Node {
        format!("involvedObject.kind=Node,involvedObject.name={name}")
    } else if kind.namespaced() {
        format!(
            "involvedObject.name={name},involvedObject.namespace={ns},involvedObject.kind={},involvedObject.uid={uid}",
            kind.name()
        )
    } else {
        format!(
            "involvedObject.name={name},involvedObject.kind={},involvedObject.uid={uid}",
            kind.name()
        )
    };
    let events_api: Api<Event> = if kind.namespaced() {
        Api::namespaced(client.clone(), ns)
    } else {
        Api::all(client.clone())
    };
    if kind != Kind::Namespace && kind != Kind::Event {
        // As kubectl (`events, _ = searchEvents(…)`): events not allowed or failing leave the
        // describe without them, never without the object.
        rel.events = match events_api.list(&ListParams::default().fields(&fields)).await {
            Ok(list) => list.items,
            Err(e) => {
                tracing::debug!("describe {name}: no events: {e}");
                Vec::new()
            }
        };
    }
    let selector = || -> Option<String> {
        let sel = obj.pointer("/spec/selector")?;
        let sel = serde_json::from_value(sel.clone()).ok()?;
        crate::cluster::printers::selector_string(Some(&sel)).ok()
    };
    match kind {
        Kind::Node => {
            let pods: Api<Pod> = Api::all(client.clone());
            rel.pods = pods
                .list(&ListParams::default().fields(&format!("spec.nodeName={name}")))
                .await?
                .items;
            let leases: Api<Lease> = Api::namespaced(client, "kube-node-lease");
            // A node without a lease (old kubelets) is described without one, as kubectl does.
            rel.lease = leases.get_opt(name).await.ok().flatten();
        }
        Kind::Deployment => {
            if let Some(sel) = selector() {
                let rs: Api<ReplicaSet> = Api::namespaced(client, ns);
                rel.replica_sets = rs.list(&ListParams::default().labels(&sel)).await?.items;
            }
        }
        Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet => {
            if let Some(sel) = selector() {
                let pods: Api<Pod> = Api::namespaced(client, ns);
                rel.pods = pods.list(&ListParams::default().labels(&sel)).await?.items;
            }
        }
        _ => {}
    }
    Ok(rel)
}
