//! An object's owners, read fresh from its ownerReferences (for the jump to a row's owner).

use kube::Client;
use serde_json::Value;

use super::{ObjRef, get_value};

/// One ownerReference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// `apiVersion` of the owner (`apps/v1`).
    pub api_version: String,
    /// Its kind (`ReplicaSet`).
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its uid: the owner is this object, not another of the same name made since.
    pub uid: String,
    /// Whether it is the managing controller.
    pub controller: bool,
}

impl Owner {
    /// The API group of `api_version` ("" for the core group).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }
}

/// The ownerReferences of an object given as JSON, the controller first (pure).
pub fn owners_of(obj: &Value) -> Vec<Owner> {
    let text = |r: &Value, k: &str| r[k].as_str().unwrap_or_default().to_string();
    let mut out: Vec<Owner> = obj["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| Owner {
            api_version: text(r, "apiVersion"),
            kind: text(r, "kind"),
            name: text(r, "name"),
            uid: text(r, "uid"),
            controller: r["controller"] == Value::Bool(true),
        })
        .collect();
    out.sort_by_key(|o| !o.controller);
    out
}

/// GET the object and read its owners.
pub async fn owners(client: &Client, obj: &ObjRef) -> Result<Vec<Owner>, String> {
    Ok(owners_of(&get_value(client, obj).await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_controller_comes_first_and_the_group_is_read_from_the_api_version() {
        let obj = json!({"metadata": {"ownerReferences": [
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "c", "uid": "1"},
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "2", "controller": true}]}});
        let owners = owners_of(&obj);
        assert_eq!(owners[0].name, "web-1");
        assert_eq!((owners[0].group(), owners[1].group()), ("apps", ""));
        assert!(owners_of(&json!({"metadata": {}})).is_empty());
    }
}
