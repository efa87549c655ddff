//! Rollout history as `kubectl rollout history` finds it: a Deployment's ReplicaSets, or a
//! StatefulSet's or DaemonSet's ControllerRevisions, plus a unified diff of any revision's pod
//! template against the live one.

use k8s_openapi::api::apps::v1::{ControllerRevision, ReplicaSet};
use kube::Api;
use kube::Client;
use serde_json::Value;

use super::{ObjRef, RESTARTED_AT, get_value};
use crate::cluster::Kind;
use crate::cluster::errors::explain as error_text;

/// The label the Deployment controller adds to each ReplicaSet's template.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";
/// The revision a ReplicaSet (and its Deployment) stands for.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// Earlier numbers of a revision that a rollback renumbered.
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// `kubectl --record` and hand-written reasons.
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// One revision of a workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// Its number.
    pub number: i64,
    /// Numbers it had before rollbacks renumbered it (`revision-history`).
    pub earlier: Vec<i64>,
    /// The ReplicaSet or ControllerRevision holding it.
    pub source: String,
    /// creationTimestamp of that object, Unix seconds.
    pub created: Option<i64>,
    /// `kubernetes.io/change-cause`, or "".
    pub change_cause: String,
    /// `container=image` for each container, init containers first.
    pub images: Vec<String>,
    /// For a ReplicaSet: "ready/desired" replicas.
    pub replicas: Option<String>,
    /// The live object runs this template.
    pub current: bool,
    /// It differs from the revision before it only in `kubectl.kubernetes.io/restartedAt`.
    pub restart_only: bool,
    /// Its pod template, `pod-template-hash` removed.
    pub template: Value,
}

/// The history of one workload, newest revision first.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// The workload.
    pub target: ObjRef,
    /// The live pod template (`pod-template-hash` removed).
    pub live: Value,
    /// Revisions, newest first.
    pub revisions: Vec<Revision>,
}

/// GET the workload and list the objects holding its revisions.
pub async fn load(client: &Client, obj: &ObjRef) -> Result<History, String> {
    let owner = get_value(client, obj).await?;
    let children: Vec<Value> = match obj.kind {
        Kind::Deployment => {
            let api: Api<ReplicaSet> = Api::namespaced(client.clone(), &obj.namespace);
            let list = api.list(&Default::default()).await.map_err(|e| error_text(&e))?;
            list.items
                .into_iter()
                .map(|o| serde_json::to_value(o).unwrap_or_default())
                .collect()
        }
        Kind::StatefulSet | Kind::DaemonSet => {
            let api: Api<ControllerRevision> = Api::namespaced(client.clone(), &obj.namespace);
            let list = api.list(&Default::default()).await.map_err(|e| error_text(&e))?;
            list.items
                .into_iter()
                .map(|o| serde_json::to_value(o).unwrap_or_default())
                .collect()
        }
        _ => return Err(format!("{} has no rollout history", obj.kubectl_name())),
    };
    Ok(from_objects(obj, &owner, &children))
}

/// A pod template without the controller's hash label, as kubectl compares them.
pub fn strip_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(POD_TEMPLATE_HASH);
        if labels.is_empty() {
            t["metadata"].as_object_mut().map(|m| m.remove("labels"));
        }
    }
    t
}

fn without_restart(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(a) = t.pointer_mut("/metadata/annotations").and_then(Value::as_object_mut) {
        a.remove(RESTARTED_AT);
        if a.is_empty() {
            t["metadata"].as_object_mut().map(|m| m.remove("annotations"));
        }
    }
    t
}

fn annotation(obj: &Value, key: &str) -> Option<String> {
    obj["metadata"]["annotations"][key].as_str().map(String::from)
}

fn images(template: &Value) -> Vec<String> {
    let spec = &template["spec"];
    ["initContainers", "containers"]
        .iter()
        .filter_map(|k| spec[*k].as_array())
        .flatten()
        .map(|c| {
            format!(
                "{}={}",
                c["name"].as_str().unwrap_or_default(),
                c["image"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn created(obj: &Value) -> Option<i64> {
    let t: jiff::Timestamp = obj["metadata"]["creationTimestamp"].as_str()?.parse().ok()?;
    Some(t.as_second())
}

fn controlled_by(child: &Value, uid: &str) -> bool {
    child["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid && r["controller"] == true))
}

/// Build the history from the workload and its candidate children (pure: tested without a server).
pub fn from_objects(obj: &ObjRef, owner: &Value, children: &[Value]) -> History {
    let uid = owner["metadata"]["uid"].as_str().unwrap_or_default();
    let live = strip_hash(&owner["spec"]["template"]);
    let owner_rev = annotation(owner, REVISION).and_then(|r| r.parse::<i64>().ok());
    let update_revision = owner["status"]["updateRevision"].as_str();
    let mut revisions: Vec<Revision> = children
        .iter()
        .filter(|c| controlled_by(c, uid))
        .filter_map(|c| {
            let deployment = obj.kind == Kind::Deployment;
            let (number, template) = if deployment {
                let n = annotation(c, REVISION)?.parse().ok()?;
                (n, strip_hash(&c["spec"]["template"]))
            } else {
                let mut t = c["data"]["spec"]["template"].clone();
                t.as_object_mut()?.remove("$patch");
                (c["revision"].as_i64()?, t)
            };
            let earlier = annotation(c, REVISION_HISTORY)
                .map(|h| h.split(',').filter_map(|n| n.trim().parse().ok()).collect())
                .unwrap_or_default();
            let replicas = deployment.then(|| {
                format!(
                    "{}/{}",
                    c["status"]["readyReplicas"].as_i64().unwrap_or(0),
                    c["spec"]["replicas"].as_i64().unwrap_or(0)
                )
            });
            let name = c["metadata"]["name"].as_str().unwrap_or_default().to_string();
            let current = match obj.kind {
                Kind::Deployment => owner_rev == Some(number),
                Kind::StatefulSet if update_revision.is_some() => update_revision == Some(name.as_str()),
                _ => template == live,
            };
            Some(Revision {
                number,
                earlier,
                source: name,
                created: created(c),
                change_cause: annotation(c, CHANGE_CAUSE).unwrap_or_default(),
                images: images(&template),
                replicas,
                current,
                restart_only: false,
                template,
            })
        })
        .collect();
    revisions.sort_by_key(|r| std::cmp::Reverse(r.number));
    for i in 0..revisions.len().saturating_sub(1) {
        let (a, b) = (&revisions[i].template, &revisions[i + 1].template);
        revisions[i].restart_only = a != b && without_restart(a) == without_restart(b);
    }
    History {
        target: obj.clone(),
        live,
        revisions,
    }
}

/// One line of a unified diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// `--- a` / `+++ b` / `@@ … @@`.
    Header(String),
    /// Present in both.
    Same(String),
    /// Only in the live template.
    Removed(String),
    /// Only in the revision.
    Added(String),
}

/// A unified diff (3 lines of context) turning the live template into the revision's: what a
/// rollback to it would change. Empty when they are equal.
pub fn diff(live: &Value, revision: &Value, revision_number: i64) -> Vec<DiffLine> {
    diff_between(live, revision, "live", &format!("revision {revision_number}"))
}

/// A unified diff (3 lines of context) of two objects as YAML, headed `--- from` / `+++ to`; empty
/// when they are equal.
pub fn diff_between(from: &Value, to: &Value, from_label: &str, to_label: &str) -> Vec<DiffLine> {
    let a = serde_yaml::to_string(from).unwrap_or_default();
    let b = serde_yaml::to_string(to).unwrap_or_default();
    let mut out = Vec::new();
    if a == b {
        return out;
    }
    let text = similar::TextDiff::from_lines(&a, &b);
    out.push(DiffLine::Header(format!("--- {from_label}")));
    out.push(DiffLine::Header(format!("+++ {to_label}")));
    for hunk in text.unified_diff().context_radius(3).iter_hunks() {
        out.push(DiffLine::Header(hunk.header().to_string()));
        for change in hunk.iter_changes() {
            let line = change.value().trim_end_matches('\n').to_string();
            out.push(match change.tag() {
                similar::ChangeTag::Equal => DiffLine::Same(line),
                similar::ChangeTag::Delete => DiffLine::Removed(line),
                similar::ChangeTag::Insert => DiffLine::Added(line),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(image: &str, restarted: Option<&str>) -> Value {
        let mut t =
            json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}});
        if let Some(at) = restarted {
            t["metadata"]["annotations"] = json!({RESTARTED_AT: at});
        }
        t
    }

    fn rs(name: &str, rev: &str, t: Value, extra: Value) -> Value {
        let mut t = t;
        t["metadata"]["labels"][POD_TEMPLATE_HASH] = json!(name);
        let mut ann = json!({REVISION: rev});
        if let Some(m) = extra.as_object() {
            for (k, v) in m {
                ann[k] = v.clone();
            }
        }
        json!({"metadata": {"name": name, "annotations": ann, "creationTimestamp": "2026-01-01T00:00:00Z",
            "ownerReferences": [{"uid": "u1", "controller": true}]},
            "spec": {"replicas": 2, "template": t}, "status": {"readyReplicas": 1}})
    }

    #[test]
    fn deployment_history_marks_current_restart_only_and_renumbered() {
        let owner = json!({"metadata": {"uid": "u1", "annotations": {REVISION: "4"}},
            "spec": {"template": template("nginx:2", Some("2026-01-02T00:00:00Z"))}});
        let children = vec![
            rs(
                "a",
                "3",
                template("nginx:1", None),
                json!({REVISION_HISTORY: "1", CHANGE_CAUSE: "first"}),
            ),
            rs("b", "2", template("nginx:2", None), json!({})),
            rs("c", "4", template("nginx:2", Some("2026-01-02T00:00:00Z")), json!({})),
            json!({"metadata": {"name": "other", "annotations": {REVISION: "9"}, "ownerReferences": [{"uid": "zz", "controller": true}]}}),
        ];
        let h = from_objects(&ObjRef::new(Kind::Deployment, "shop", "web"), &owner, &children);
        let nums: Vec<i64> = h.revisions.iter().map(|r| r.number).collect();
        assert_eq!(nums, [4, 3, 2]);
        assert!(h.revisions[0].current && !h.revisions[1].current);
        assert!(!h.revisions[0].restart_only, "4 differs from 3 in image");
        assert_eq!(h.revisions[1].earlier, [1]);
        assert_eq!(h.revisions[1].change_cause, "first");
        assert_eq!(h.revisions[1].images, ["web=nginx:1"]);
        assert_eq!(h.revisions[1].replicas.as_deref(), Some("1/2"));
        assert!(
            h.revisions[1].template["metadata"]["labels"]
                .get(POD_TEMPLATE_HASH)
                .is_none()
        );
        // 4 vs 2: only restartedAt differs once sorted by number… but 3 sits between; check the pair logic.
        let pair = from_objects(
            &ObjRef::new(Kind::Deployment, "shop", "web"),
            &owner,
            &[children[1].clone(), children[2].clone()],
        );
        assert!(pair.revisions[0].restart_only);
        assert!(!pair.revisions[1].restart_only);
    }

    #[test]
    fn diff_shows_image_change_and_is_empty_when_equal() {
        let live = template("nginx:2", None);
        let old = template("nginx:1", None);
        let d = diff(&live, &old, 1);
        assert_eq!(d[0], DiffLine::Header("--- live".into()));
        assert!(d.contains(&DiffLine::Removed("  - image: nginx:2".into())), "{d:?}");
        assert!(d.contains(&DiffLine::Added("  - image: nginx:1".into())), "{d:?}");
        assert!(diff(&live, &live, 2).is_empty());
    }

    #[test]
    fn controller_revisions_drop_the_patch_marker() {
        let owner = json!({"metadata": {"uid": "u1"}, "spec": {"template": template("p:2", None)}, "status": {"updateRevision": "db-2"}});
        let mut t1 = template("p:1", None);
        t1["$patch"] = json!("replace");
        let mut t2 = template("p:2", None);
        t2["$patch"] = json!("replace");
        let cr = |name: &str, n: i64, t: Value| json!({"metadata": {"name": name, "ownerReferences": [{"uid": "u1", "controller": true}]}, "revision": n, "data": {"spec": {"template": t}}});
        let h = from_objects(
            &ObjRef::new(Kind::StatefulSet, "db", "db"),
            &owner,
            &[cr("db-1", 1, t1), cr("db-2", 2, t2)],
        );
        assert_eq!(h.revisions.len(), 2);
        assert!(h.revisions[0].current && h.revisions[0].source == "db-2");
        assert!(h.revisions[0].template.get("$patch").is_none());
        assert_eq!(h.revisions[1].images, ["web=p:1"]);
    }
}
