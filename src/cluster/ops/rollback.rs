//! `kubectl rollout undo --to-revision`, as kubectl's rollback helpers do it: a Deployment gets the
//! ReplicaSet's template (without `pod-template-hash`) and the annotations kubectl carries over in
//! one JSON patch; a StatefulSet or DaemonSet gets its ControllerRevision's data as a strategic
//! merge patch. A server-side dry run can be asked for first.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{ControllerRevision, ReplicaSet};
use kube::Api;
use kube::Client;
use kube::api::{Patch, PatchParams};
use serde_json::{Value, json};

use super::history::{POD_TEMPLATE_HASH, REVISION, REVISION_HISTORY};
use super::{ObjRef, Outcome, Success, dyn_api, get_value};
use crate::cluster::Kind;
use crate::cluster::errors::explain as error_text;

/// Deployment annotations a rollback keeps from the Deployment rather than taking from the ReplicaSet.
pub const ANNOTATIONS_TO_SKIP: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// What a rollback comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Nothing to do: kubectl's "skipped rollback (…)" line.
    Skip(String),
    /// A JSON patch (Deployment).
    Json(Value),
    /// A strategic merge patch (StatefulSet, DaemonSet).
    Strategic(Value),
}

/// kubectl's "unable to find specified revision N in history".
fn not_found(rev: i64) -> String {
    format!("unable to find specified revision {rev} in history")
}

fn revision_of(v: &Value, kind: Kind) -> Option<i64> {
    if kind == Kind::Deployment {
        v["metadata"]["annotations"][REVISION].as_str()?.parse().ok()
    } else {
        v["revision"].as_i64()
    }
}

/// The revision `rev` names: itself, or for 0 the newest one before the newest (kubectl's default).
fn pick(children: &[Value], kind: Kind, rev: i64) -> Result<&Value, String> {
    let mut numbered: Vec<(i64, &Value)> = children
        .iter()
        .filter_map(|c| revision_of(c, kind).map(|n| (n, c)))
        .collect();
    numbered.sort_by_key(|(n, _)| *n);
    if rev == 0 {
        if numbered.len() <= 1 {
            return Err(match kind {
                Kind::Deployment => "no rollout history found".into(),
                _ => "no last revision to roll back to".into(),
            });
        }
        return Ok(numbered[numbered.len() - 2].1);
    }
    numbered
        .into_iter()
        .find(|(n, _)| *n == rev)
        .map(|(_, c)| c)
        .ok_or_else(|| not_found(rev))
}

/// Work out the patch from the live object and its revision holders (pure).
pub fn plan(obj: &ObjRef, owner: &Value, children: &[Value], rev: i64) -> Result<Plan, String> {
    let uid = owner["metadata"]["uid"].as_str().unwrap_or_default();
    let owned: Vec<Value> = children
        .iter()
        .filter(|c| {
            c["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|r| r.iter().any(|o| o["uid"] == uid && o["controller"] == true))
        })
        .cloned()
        .collect();
    if obj.kind == Kind::Deployment {
        if owner["spec"]["paused"] == json!(true) {
            return Err(format!(
                "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/{}' and try again",
                obj.name
            ));
        }
        let rs = pick(&owned, obj.kind, rev)?;
        let number = revision_of(rs, obj.kind).unwrap_or(rev);
        let template = super::history::strip_hash(&rs["spec"]["template"]);
        if template == super::history::strip_hash(&owner["spec"]["template"]) {
            return Ok(Plan::Skip(format!(
                "{} skipped rollback (current template already matches revision {number})",
                obj.kubectl_name()
            )));
        }
        let mut annotations = BTreeMap::new();
        let empty = serde_json::Map::new();
        let ann = |v: &Value| {
            v["metadata"]["annotations"]
                .as_object()
                .cloned()
                .unwrap_or(empty.clone())
        };
        for (k, v) in ann(owner) {
            if ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
                annotations.insert(k, v);
            }
        }
        for (k, v) in ann(rs) {
            if !ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
                annotations.insert(k, v);
            }
        }
        debug_assert!(template["metadata"]["labels"].get(POD_TEMPLATE_HASH).is_none());
        return Ok(Plan::Json(json!([
            {"op": "replace", "path": "/spec/template", "value": template},
            {"op": "replace", "path": "/metadata/annotations", "value": annotations},
        ])));
    }
    let cr = pick(&owned, obj.kind, rev)?;
    let number = revision_of(cr, obj.kind).unwrap_or(rev);
    let mut template = cr["data"]["spec"]["template"].clone();
    if let Some(m) = template.as_object_mut() {
        m.remove("$patch");
    }
    if template == owner["spec"]["template"] {
        return Ok(Plan::Skip(format!(
            "{} skipped rollback (current template already matches revision {number})",
            obj.kubectl_name()
        )));
    }
    Ok(Plan::Strategic(cr["data"].clone()))
}

async fn load(client: &Client, obj: &ObjRef) -> Result<(Value, Vec<Value>), String> {
    let owner = get_value(client, obj).await?;
    let children = match obj.kind {
        Kind::Deployment => {
            let api: Api<ReplicaSet> = Api::namespaced(client.clone(), &obj.namespace);
            let l = api.list(&Default::default()).await.map_err(|e| error_text(&e))?;
            l.items
                .into_iter()
                .map(|o| serde_json::to_value(o).unwrap_or_default())
                .collect()
        }
        Kind::StatefulSet | Kind::DaemonSet => {
            let api: Api<ControllerRevision> = Api::namespaced(client.clone(), &obj.namespace);
            let l = api.list(&Default::default()).await.map_err(|e| error_text(&e))?;
            l.items
                .into_iter()
                .map(|o| serde_json::to_value(o).unwrap_or_default())
                .collect()
        }
        _ => return Err(format!("{} cannot be rolled back", obj.kubectl_name())),
    };
    Ok((owner, children))
}

async fn run(client: &Client, obj: &ObjRef, rev: i64, dry_run: bool) -> Outcome {
    let (owner, children) = load(client, obj).await?;
    let mut pp = PatchParams {
        field_manager: Some("kubedeck".into()),
        ..Default::default()
    };
    pp.dry_run = dry_run;
    let api = dyn_api(client, obj);
    let sent = match plan(obj, &owner, &children, rev)? {
        Plan::Skip(line) => return Ok(Success::unchanged(line)),
        Plan::Json(p) => {
            // The Patch type's own json-patch version decodes it; kubedeck never names that crate.
            let p = serde_json::from_value(p).map_err(|e| e.to_string())?;
            api.patch(&obj.name, &pp, &Patch::<()>::Json(p)).await
        }
        Plan::Strategic(p) => api.patch(&obj.name, &pp, &Patch::Strategic(&p)).await,
    };
    sent.map_err(|e| format!("failed restoring revision {rev}: {}", error_text(&e)))?;
    let suffix = if dry_run { " (server dry run)" } else { "" };
    Ok(Success::changed(format!("{} rolled back{suffix}", obj.kubectl_name())))
}

/// Roll back for real.
pub async fn rollback(client: &Client, obj: &ObjRef, rev: i64) -> Outcome {
    run(client, obj, rev, false).await
}

/// The same request with `dryRun=All`: the server validates and admits it but stores nothing.
pub async fn dry_run(client: &Client, obj: &ObjRef, rev: i64) -> Outcome {
    run(client, obj, rev, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(paused: bool) -> Value {
        json!({"metadata": {"uid": "u", "annotations": {REVISION: "3", "team": "shop", REVISION_HISTORY: "1"}},
            "spec": {"paused": paused, "template": {"metadata": {"labels": {"app": "w"}}, "spec": {"containers": [{"name": "w", "image": "i:3"}]}}}})
    }

    fn rs(rev: &str, image: &str) -> Value {
        json!({"metadata": {"annotations": {REVISION: rev, "kubernetes.io/change-cause": format!("to {image}")},
            "ownerReferences": [{"uid": "u", "controller": true}]},
            "spec": {"template": {"metadata": {"labels": {"app": "w", POD_TEMPLATE_HASH: "h"}}, "spec": {"containers": [{"name": "w", "image": image}]}}}})
    }

    #[test]
    fn deployment_patch_is_kubectls_json_patch() {
        let d = ObjRef::new(Kind::Deployment, "shop", "web");
        let Plan::Json(p) = plan(&d, &owner(false), &[rs("2", "i:2"), rs("3", "i:3")], 2).unwrap() else {
            panic!("not a json patch")
        };
        assert_eq!(p[0]["path"], "/spec/template");
        assert_eq!(p[0]["value"]["metadata"]["labels"], json!({"app": "w"}));
        assert_eq!(p[0]["value"]["spec"]["containers"][0]["image"], "i:2");
        // Revision bookkeeping stays the Deployment's, everything else comes from the ReplicaSet.
        assert_eq!(
            p[1]["value"],
            json!({REVISION: "3", REVISION_HISTORY: "1", "kubernetes.io/change-cause": "to i:2"})
        );
    }

    #[test]
    fn refusals_and_skips_use_kubectls_words() {
        let d = ObjRef::new(Kind::Deployment, "shop", "web");
        let children = [rs("2", "i:2"), rs("3", "i:3")];
        let paused = plan(&d, &owner(true), &children, 2).unwrap_err();
        assert!(
            paused.starts_with("you cannot rollback a paused deployment"),
            "{paused}"
        );
        assert_eq!(
            plan(&d, &owner(false), &children, 3).unwrap(),
            Plan::Skip("deployment.apps/web skipped rollback (current template already matches revision 3)".into())
        );
        assert_eq!(
            plan(&d, &owner(false), &children, 7).unwrap_err(),
            "unable to find specified revision 7 in history"
        );
        // 0: the revision before the newest.
        assert!(matches!(plan(&d, &owner(false), &children, 0).unwrap(), Plan::Json(_)));
    }
}
