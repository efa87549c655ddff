//! ControllerRevisions as the DaemonSet and StatefulSet controllers keep them (the real
//! `pkg/controller/history` package): one per distinct pod template, named `<owner>-<hash>`,
//! numbered by an increasing `revision`; going back to an older template re-uses its revision
//! and renumbers it to the newest; old revisions beyond `revisionHistoryLimit` are deleted
//! unless pods still run them.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::super::resources::res;
use super::super::store::{Origin, Store};
use super::podutil::{controller_ref, template_hash};

/// The label naming a pod's (and a revision's) ControllerRevision hash.
pub const HASH_LABEL: &str = "controller-revision-hash";

/// The patch the real controllers store in `data`: the whole template, marked to replace.
pub fn patch_data(template: &Value) -> Value {
    let mut t = template.clone();
    t["$patch"] = json!("replace");
    json!({"spec": {"template": t}})
}

/// The pod template a revision holds (its `data` without the `$patch` marker).
pub fn template_of(revision: &Value) -> Value {
    let mut t = revision["data"]["spec"]["template"].clone();
    if let Some(m) = t.as_object_mut() {
        m.remove("$patch");
    }
    t
}

/// The revisions owned by the object with this uid, oldest first.
pub fn owned(store: &Store, uid: &str) -> Vec<Value> {
    let mut revs: Vec<Value> = store
        .dependents(uid)
        .into_iter()
        .filter(|(r, _, _)| *r == res("ControllerRevision"))
        .filter_map(|(r, ns, name)| store.get_value(r, &ns, &name))
        .filter(|v| v["metadata"]["ownerReferences"][0]["uid"] == uid)
        .collect();
    revs.sort_by_key(|r| r["revision"].as_i64().unwrap_or(0));
    revs
}

/// The hash label of a revision.
pub fn hash_of(revision: &Value) -> Option<String> {
    revision["metadata"]["labels"][HASH_LABEL].as_str().map(String::from)
}

/// What [`sync`] found or made for the owner's current template.
pub struct Synced {
    /// The revision's hash (pods carry it in `controller-revision-hash`).
    pub hash: String,
    /// The revision's name, `<owner>-<hash>`.
    pub name: String,
    /// All owned revisions after the sync, oldest first.
    pub all: Vec<Value>,
}

/// Finds or creates the revision of `owner`'s current template. A revision with equal data that
/// is not the newest is renumbered to max+1, as a rollback does. On a name collision with
/// different data, `status.collisionCount` is raised and `None` returned (the next sync retries).
pub fn sync(store: &Store, owner: &Value) -> Option<Synced> {
    let uid = owner["metadata"]["uid"].as_str()?;
    let ns = owner["metadata"]["namespace"].as_str().unwrap_or_default();
    let owner_name = owner["metadata"]["name"].as_str().unwrap_or_default();
    let template = &owner["spec"]["template"];
    let data = patch_data(template);
    let mut all = owned(store, uid);
    let max = all.last().and_then(|r| r["revision"].as_i64()).unwrap_or(0);
    if let Some(i) = all.iter().rposition(|r| r["data"] == data) {
        let name = all[i]["metadata"]["name"].as_str().unwrap_or_default().to_string();
        if all[i]["revision"].as_i64() != Some(max) {
            let updated = store
                .update_with(res("ControllerRevision"), ns, &name, |v| {
                    v["revision"] = json!(max + 1);
                    Ok(())
                })
                .ok()?;
            all.remove(i);
            all.push(updated.value());
        }
        let hash = hash_of(all.last()?)?;
        return Some(Synced { hash, name, all });
    }
    let hash = template_hash(&data, owner["status"]["collisionCount"].as_i64());
    let name = format!("{owner_name}-{hash}");
    let mut labels = template["metadata"]["labels"].as_object().cloned().unwrap_or_default();
    labels.insert(HASH_LABEL.into(), json!(hash));
    let cr = json!({
        "metadata": {"name": name, "namespace": ns, "labels": labels, "ownerReferences": [controller_ref(owner)]},
        "data": data,
        "revision": max + 1,
    });
    match store.create(res("ControllerRevision"), cr, Origin::Internal) {
        Ok(o) => {
            all.push(o.value());
            Some(Synced { hash, name, all })
        }
        Err(_) => {
            let kind = res(owner["kind"].as_str().unwrap_or_default());
            let _ = store.update_with(kind, ns, owner_name, |v| {
                let c = v["status"]["collisionCount"].as_i64().unwrap_or(0);
                v["status"]["collisionCount"] = json!(c + 1);
                Ok(())
            });
            None
        }
    }
}

/// Deletes the oldest revisions beyond `limit` (default 10) that no live pod runs and that are
/// not named in `keep` (the current and update revisions).
pub fn truncate(store: &Store, all: &[Value], live_hashes: &BTreeSet<String>, keep: &[&str], limit: Option<i64>) {
    let limit = limit.unwrap_or(10).max(0) as usize;
    let history: Vec<&Value> = all
        .iter()
        .filter(|r| {
            let name = r["metadata"]["name"].as_str().unwrap_or_default();
            !keep.contains(&name) && !hash_of(r).is_some_and(|h| live_hashes.contains(&h))
        })
        .collect();
    if history.len() <= limit {
        return;
    }
    for r in &history[..history.len() - limit] {
        let ns = r["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = r["metadata"]["name"].as_str().unwrap_or_default();
        let _ = store.remove(res("ControllerRevision"), ns, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Origin;

    fn owner(store: &Store, image: &str) -> Value {
        let v = json!({"metadata": {"name": "db", "namespace": "default"}, "spec": {"template": {
            "metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "c", "image": image}]}}}});
        match store.get_value(res("StatefulSet"), "default", "db") {
            Some(_) => store
                .update_with(res("StatefulSet"), "default", "db", |o| {
                    o["spec"] = v["spec"].clone();
                    Ok(())
                })
                .unwrap()
                .value(),
            None => store.create(res("StatefulSet"), v, Origin::Api).unwrap().value(),
        }
    }

    fn numbers(s: &Synced) -> Vec<(String, i64)> {
        s.all
            .iter()
            .map(|r| (hash_of(r).unwrap(), r["revision"].as_i64().unwrap()))
            .collect()
    }

    #[test]
    fn reverting_renumbers_and_truncation_spares_live_revisions() {
        let store = Store::new(1000);
        let a = sync(&store, &owner(&store, "db:1")).unwrap();
        let b = sync(&store, &owner(&store, "db:2")).unwrap();
        assert_ne!(a.hash, b.hash);
        assert_eq!(b.name, format!("db-{}", b.hash));
        let again = sync(&store, &owner(&store, "db:1")).unwrap();
        assert_eq!(again.hash, a.hash, "the old revision is re-used");
        assert_eq!(numbers(&again), [(b.hash.clone(), 2), (a.hash.clone(), 3)]);
        assert_eq!(again.all[1]["data"]["spec"]["template"]["$patch"], "replace");
        assert_eq!(template_of(&again.all[1])["spec"]["containers"][0]["image"], "db:1");
        let c = sync(&store, &owner(&store, "db:3")).unwrap();
        assert_eq!(c.all.len(), 3);
        let live: BTreeSet<String> = [a.hash.clone()].into();
        truncate(&store, &c.all, &live, &[c.name.as_str()], Some(0));
        let left: Vec<String> = owned(
            &store,
            c.all[0]["metadata"]["ownerReferences"][0]["uid"].as_str().unwrap(),
        )
        .iter()
        .filter_map(hash_of)
        .collect();
        assert_eq!(left, [a.hash, c.hash], "the unused db:2 revision goes");
    }
}
