//! The garbage collector: deletes objects whose owners are gone (background cascade), deletes
//! dependents before their owner when it carries the `foregroundDeletion` finalizer, and strips
//! ownerReferences when it carries `orphan`, as the API server's DELETE propagation policies ask.

use std::time::Duration;

use serde_json::{Value, json};

use super::super::resources::{by_kind, res};
use super::super::store::{Event, EventType, Key, Store, pods};
use super::Ctx;
use super::podutil::delete_pod_now;
use super::runner::Controller;

const FOREGROUND: &str = "foregroundDeletion";
const ORPHAN: &str = "orphan";

/// The garbage collector, for [`super::runner::run`]. Its primary kind is Namespace only so that
/// a missed-changes resync stays cheap; owners are found through the store's owner index.
pub fn controller() -> Controller {
    Controller {
        name: "garbage-collector",
        primary: res("Namespace"),
        keys_for,
        reconcile,
    }
}

fn finalizers(v: &Value) -> Vec<String> {
    v["metadata"]["finalizers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(String::from))
        .collect()
}

fn keys_for(store: &Store, ev: &Event) -> Vec<Key> {
    let o = &ev.obj;
    let mut keys = Vec::new();
    if ev.kind == EventType::Deleted {
        keys.extend(store.dependents(&o.uid));
        if !o.owners.is_empty() {
            // An owner waiting in foreground deletion may now be free to go.
            let v = o.value();
            for r in v["metadata"]["ownerReferences"].as_array().into_iter().flatten() {
                let (Some(id), Some(name)) = (r["kind"].as_str().and_then(by_kind), r["name"].as_str()) else {
                    continue;
                };
                let ns = if id.def().namespaced { o.ns.as_str() } else { "" };
                if store.get(id, ns, name).is_some_and(|owner| owner.deleting) {
                    keys.push((id, ns.to_string(), name.to_string()));
                }
            }
        }
    } else if o.deleting {
        keys.push(o.key());
    }
    keys
}

/// Deletes one object as a DELETE with the given propagation would.
fn delete(store: &Store, key: &Key, foreground: bool) {
    let Some(obj) = store.get(key.0, &key.1, &key.2) else {
        return;
    };
    if obj.deleting {
        return;
    }
    if key.0 == pods() {
        delete_pod_now(store, &obj);
        return;
    }
    let v = obj.value();
    let has_dependents = !store.dependents(&obj.uid).is_empty();
    if finalizers(&v).is_empty() && !(foreground && has_dependents) {
        let _ = store.remove(key.0, &key.1, &key.2);
        return;
    }
    let _ = store.update_with(key.0, &key.1, &key.2, |v| {
        v["metadata"]["deletionTimestamp"] = json!(super::super::store::now_str());
        v["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        if foreground && has_dependents {
            let mut f = finalizers(v);
            f.push(FOREGROUND.into());
            v["metadata"]["finalizers"] = json!(f);
        }
        Ok(())
    });
}

fn remove_finalizer(store: &Store, key: &Key, name: &str) {
    let _ = store.update_with(key.0, &key.1, &key.2, |v| {
        let f: Vec<String> = finalizers(v).into_iter().filter(|f| f != name).collect();
        v["metadata"]["finalizers"] = json!(f);
        Ok(())
    });
}

fn owner_alive(store: &Store, ns: &str, r: &Value) -> bool {
    let Some(id) = r["kind"].as_str().and_then(by_kind) else {
        // An owner of a kind the demo cluster does not serve cannot be checked: keep the object.
        return true;
    };
    let ns = if id.def().namespaced { ns } else { "" };
    store
        .get(id, ns, r["name"].as_str().unwrap_or_default())
        .is_some_and(|o| Some(o.uid.as_str()) == r["uid"].as_str())
}

fn reconcile(ctx: &Ctx, key: &Key) -> Option<Duration> {
    let store = &*ctx.store;
    let obj = store.get(key.0, &key.1, &key.2)?;
    let v = obj.value();
    let fins = finalizers(&v);
    let deps = store.dependents(&obj.uid);
    if obj.deleting && fins.iter().any(|f| f == ORPHAN) {
        for (id, ns, name) in deps {
            let _ = store.update_with(id, &ns, &name, |d| {
                if let Some(refs) = d["metadata"]["ownerReferences"].as_array_mut() {
                    refs.retain(|r| r["uid"].as_str() != Some(obj.uid.as_str()));
                }
                Ok(())
            });
        }
        remove_finalizer(store, key, ORPHAN);
    } else if obj.deleting && fins.iter().any(|f| f == FOREGROUND) {
        if deps.is_empty() {
            remove_finalizer(store, key, FOREGROUND);
        } else {
            for d in &deps {
                delete(store, d, true);
            }
        }
    } else if !obj.owners.is_empty() {
        let refs = v["metadata"]["ownerReferences"].as_array().cloned().unwrap_or_default();
        let alive: Vec<&Value> = refs.iter().filter(|r| owner_alive(store, &obj.ns, r)).collect();
        if alive.is_empty() {
            delete(store, key, false);
        } else if alive.len() < refs.len() {
            let keep = json!(alive);
            let _ = store.update_with(key.0, &key.1, &key.2, |d| {
                d["metadata"]["ownerReferences"] = keep;
                Ok(())
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Kit;
    use super::super::{deployment, replicaset};
    use super::*;

    fn deploy() -> Value {
        json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a", "image": "x"}]}}},
        })
    }

    fn start() -> Kit {
        Kit::start(&[deployment::controller(), replicaset::controller(), controller()])
    }

    async fn running(kit: &Kit) {
        kit.create(res("Deployment"), deploy());
        kit.wait_for("2 pods", |s| s.count(pods()) == 2).await;
    }

    #[tokio::test]
    async fn background_deletion_cascades_to_pods() {
        let kit = start();
        running(&kit).await;
        kit.store().remove(res("Deployment"), "default", "web").unwrap();
        kit.wait_for("everything gone", |s| {
            s.count(res("ReplicaSet")) == 0 && s.count(pods()) == 0
        })
        .await;
    }

    #[tokio::test]
    async fn foreground_deletion_waits_for_dependents() {
        let kit = start();
        running(&kit).await;
        kit.store()
            .update_with(res("Deployment"), "default", "web", |v| {
                v["metadata"]["deletionTimestamp"] = json!("2024-01-01T00:00:00Z");
                v["metadata"]["finalizers"] = json!([FOREGROUND]);
                Ok(())
            })
            .unwrap();
        let order_ok = std::cell::Cell::new(true);
        kit.wait_for("owner gone last", |s| {
            let owner_gone = s.get(res("Deployment"), "default", "web").is_none();
            if owner_gone && (s.count(pods()) > 0 || s.count(res("ReplicaSet")) > 0) {
                order_ok.set(false);
            }
            owner_gone
        })
        .await;
        assert!(order_ok.get(), "the Deployment went before its dependents");
    }

    #[tokio::test]
    async fn orphan_deletion_keeps_dependents_without_the_owner_reference() {
        let kit = start();
        running(&kit).await;
        kit.store()
            .update_with(res("Deployment"), "default", "web", |v| {
                v["metadata"]["deletionTimestamp"] = json!("2024-01-01T00:00:00Z");
                v["metadata"]["finalizers"] = json!([ORPHAN]);
                Ok(())
            })
            .unwrap();
        kit.wait_for("owner gone", |s| s.get(res("Deployment"), "default", "web").is_none())
            .await;
        let rs = kit.store().list(res("ReplicaSet"), Some("default")).0;
        assert_eq!(rs.len(), 1);
        assert!(rs[0].owners.is_empty());
        assert_eq!(kit.store().count(pods()), 2);
    }
}
