//! The apiextensions server's controllers, in one: establishing (serve the CRD's resources, set
//! `acceptedNames` and the NamesAccepted/Established conditions) and finalizing (on delete,
//! remove every object, then the `customresourcecleanup` finalizer).

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::{FINALIZER, crd_res, defs_of};
use crate::controllers::Ctx;
use crate::resources::intern;
use crate::status::ApiError;
use crate::store::{EventType, Obj, Served, Store, now_str};

/// Sets a condition, keeping its lastTransitionTime when its status does not change.
fn set_condition(status: &mut Value, ty: &str, state: &str, reason: &str, message: &str, now: &str) {
    let list = status["conditions"].as_array().cloned().unwrap_or_default();
    let old = list.iter().find(|c| c["type"] == ty);
    let since = match old {
        Some(c) if c["status"] == state => c["lastTransitionTime"].clone(),
        _ => json!(now),
    };
    let cond = json!({"type": ty, "status": state, "lastTransitionTime": since, "reason": reason, "message": message});
    let mut list: Vec<Value> = list;
    match list.iter_mut().find(|c| c["type"] == ty) {
        Some(c) => *c = cond,
        None => list.push(cond),
    }
    status["conditions"] = Value::Array(list);
}

/// Marks a CRD for deletion as the server's DELETE does first: the cleanup finalizer and a
/// Terminating condition, so the object stays until its custom objects are gone.
pub fn begin_delete(store: &Store, name: &str) -> Result<std::sync::Arc<Obj>, ApiError> {
    let now = now_str();
    store.update_with(crd_res(), "", name, |c| {
        let mut fins = c["metadata"]["finalizers"].as_array().cloned().unwrap_or_default();
        if !fins.iter().any(|f| f == FINALIZER) {
            fins.push(json!(FINALIZER));
        }
        c["metadata"]["finalizers"] = Value::Array(fins);
        set_condition(
            &mut c["status"],
            "Terminating",
            "True",
            "InstanceDeletionInProgress",
            "CustomResource deletion is in progress",
            &now,
        );
        Ok(())
    })
}

/// Whether a CRD is being deleted.
pub fn terminating(store: &Store, crd: &str) -> bool {
    store.get(crd_res(), "", crd).is_some_and(|o| o.deleting)
}

/// Deletes a terminating CRD's objects (objects with finalizers of their own wait for them);
/// once none is left, drops the CRD's finalizer, which removes it, and stops serving it.
fn finalize(store: &Store, name: &str, served: &Served) {
    let (objs, _) = store.list(served.storage, None);
    let now = now_str();
    for o in &objs {
        if o.deleting {
            continue;
        }
        let has_finalizers = o.value()["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty());
        if has_finalizers {
            let _ = store.update_with(served.storage, &o.ns, &o.name, |v| {
                v["metadata"]["deletionTimestamp"] = json!(now);
                v["metadata"]["deletionGracePeriodSeconds"] = json!(0);
                Ok(())
            });
        } else {
            let _ = store.remove(served.storage, &o.ns, &o.name);
        }
    }
    if store.count(served.storage) > 0 {
        return;
    }
    store.unserve_custom(name);
    let _ = store.update_with(crd_res(), "", name, |c| {
        if let Some(f) = c["metadata"]["finalizers"].as_array_mut() {
            f.retain(|x| x != FINALIZER);
        }
        Ok(())
    });
}

/// Why a CRD's names cannot be accepted: another CRD of its group already has one of them
/// (`NamingConditionController`: resource names and kinds are each one namespace per group).
fn name_conflict(store: &Store, crd: &Value) -> Option<(&'static str, String)> {
    let group = &crd["spec"]["group"];
    let me = crd["metadata"]["name"].as_str().unwrap_or_default();
    let (mut resources, mut kinds) = (Vec::new(), Vec::new());
    for o in store.list(crd_res(), None).0.iter().filter(|o| o.name != me) {
        let other = o.value();
        if other["spec"]["group"] != *group {
            continue;
        }
        let a = &other["status"]["acceptedNames"];
        resources.extend(
            ["plural", "singular"]
                .iter()
                .filter_map(|k| a[*k].as_str().map(String::from)),
        );
        resources.extend(
            a["shortNames"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(String::from)),
        );
        kinds.extend(
            ["kind", "listKind"]
                .iter()
                .filter_map(|k| a[*k].as_str().map(String::from)),
        );
    }
    let names = &crd["spec"]["names"];
    let taken = |list: &[String], v: &Value| {
        v.as_str()
            .filter(|x| !x.is_empty() && list.iter().any(|t| t == x))
            .map(String::from)
    };
    let checks = [
        ("PluralConflict", taken(&resources, &names["plural"])),
        ("SingularConflict", taken(&resources, &names["singular"])),
        (
            "ShortNamesConflict",
            names["shortNames"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|x| taken(&resources, x)),
        ),
        ("KindConflict", taken(&kinds, &names["kind"])),
        ("ListKindConflict", taken(&kinds, &names["listKind"])),
    ];
    checks
        .into_iter()
        .find_map(|(reason, hit)| hit.map(|n| (reason, format!("\"{n}\" is already in use"))))
}

/// Brings what the store serves and the CRD's status in line with the CRD.
pub fn reconcile(store: &Store, name: &str) {
    let Some(crd) = store.get_value(crd_res(), "", name) else {
        store.unserve_custom(name);
        return;
    };
    let (defs, storage) = defs_of(&crd);
    let served = Served {
        defs: defs.into_iter().map(intern).collect(),
        storage: intern(storage),
    };
    if crd["metadata"].get("deletionTimestamp").is_some() {
        finalize(store, name, &served);
        return;
    }
    let now = now_str();
    if let Some((reason, message)) = name_conflict(store, &crd) {
        // Names already served stay served; a CRD never established is not served at all.
        let _ = store.update_with(crd_res(), "", name, |c| {
            let st = &mut c["status"];
            set_condition(st, "NamesAccepted", "False", reason, &message, &now);
            if st["conditions"]
                .as_array()
                .is_none_or(|l| !l.iter().any(|x| x["type"] == "Established" && x["status"] == "True"))
            {
                set_condition(
                    st,
                    "Established",
                    "False",
                    "NotAccepted",
                    "not all names are accepted",
                    &now,
                );
            }
            Ok(())
        });
        return;
    }
    let storage_version = served.storage.def().version;
    store.serve_custom(name, served);
    let _ = store.update_with(crd_res(), "", name, |c| {
        let mut accepted = c["spec"]["names"].clone();
        if let Some(m) = accepted.as_object_mut() {
            m.retain(|k, _| {
                ["plural", "singular", "shortNames", "kind", "listKind", "categories"].contains(&k.as_str())
            });
        }
        let st = &mut c["status"];
        st["acceptedNames"] = accepted;
        set_condition(st, "NamesAccepted", "True", "NoConflicts", "no conflicts found", &now);
        set_condition(
            st,
            "Established",
            "True",
            "InitialNamesAccepted",
            "the initial names have been accepted",
            &now,
        );
        let mut stored = st["storedVersions"].as_array().cloned().unwrap_or_default();
        if !stored.iter().any(|v| v == storage_version) {
            stored.push(json!(storage_version));
        }
        st["storedVersions"] = Value::Array(stored);
        Ok(())
    });
}

fn reconcile_all(store: &Store) {
    for o in store.list(crd_res(), None).0 {
        reconcile(store, &o.name);
    }
}

/// Runs until the cluster stops: reacts to CRD changes, and to custom objects leaving while
/// their CRD is being deleted.
pub async fn run(ctx: Ctx) {
    let mut rx = ctx.store.subscribe();
    reconcile_all(&ctx.store);
    loop {
        tokio::select! {
            _ = ctx.cancel.cancelled() => break,
            r = rx.recv() => match r {
                // A CRD gone may free names another CRD of its group is waiting for.
                Ok(ev) if ev.obj.res == crd_res() && ev.kind == EventType::Deleted => {
                    reconcile(&ctx.store, &ev.obj.name);
                    reconcile_all(&ctx.store);
                }
                Ok(ev) if ev.obj.res == crd_res() => reconcile(&ctx.store, &ev.obj.name),
                Ok(ev) if ev.kind == EventType::Deleted && ev.obj.res.is_custom() => {
                    if let Some(c) = ev.obj.res.def().custom
                        && terminating(&ctx.store, &c.crd)
                    {
                        reconcile(&ctx.store, &c.crd);
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => reconcile_all(&ctx.store),
                Err(RecvError::Closed) => break,
            },
        }
    }
}
