//! GET one object fresh with the lists a per-kind extra needs beside it (the keys of a ConfigMap,
//! the pods that might mount a claim, the bindings that might name a service account).

use kube::Client;
use kube::api::{DynamicObject, ListParams};
use serde_json::Value;

use super::ops::{ObjRef, api_resource, get_value};
use super::{Kind, Scope};

/// The object and the lists, in the order asked. `Debug` says only how many objects, so that a
/// Secret's data can never reach a log line through it.
#[derive(Clone, PartialEq, Default)]
pub struct Gathered {
    /// The object as the server sent it.
    pub object: Value,
    /// The objects of each list asked for.
    pub lists: Vec<Vec<Value>>,
}

impl std::fmt::Debug for Gathered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: Vec<usize> = self.lists.iter().map(Vec::len).collect();
        write!(f, "Gathered {{ object: <hidden>, lists: {sizes:?} objects }}")
    }
}

/// GET `from`, then LIST each of `lists` (kind and scope); the first failure, in kubectl's words.
pub async fn gather(client: &Client, from: &ObjRef, lists: &[(Kind, Scope)]) -> Result<Gathered, String> {
    let object = get_value(client, from).await?;
    let mut out = Vec::with_capacity(lists.len());
    for (kind, scope) in lists {
        let ar = api_resource(*kind);
        let api: kube::Api<DynamicObject> = match scope.clone().for_kind(*kind) {
            Scope::Namespace(ns) => kube::Api::namespaced_with(client.clone(), &ns, &ar),
            Scope::All => kube::Api::all_with(client.clone(), &ar),
        };
        let items = api
            .list(&ListParams::default())
            .await
            .map_err(|e| super::errors::explain(&e))?
            .items;
        out.push(
            items
                .into_iter()
                .map(|o| serde_json::to_value(o).unwrap_or_default())
                .collect(),
        );
    }
    Ok(Gathered { object, lists: out })
}
