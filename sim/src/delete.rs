//! DELETE of one object or a collection: graceful pod termination, preconditions, propagation
//! policies (carried out by the garbage collector through finalizers) and namespace termination.

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Value, json};

use super::request::{Query, SimState, Target, json_response, name, ns, obj_response, parse_body};
use super::resources::ResId;
use super::status::{ApiError, Cause, success_status};
use super::store::{Obj, now_str, pods};
use super::watch::Filter;

/// Options of a DELETE, from the query and the DeleteOptions body.
#[derive(Debug, Default)]
struct DeleteOpts {
    propagation: Option<String>,
    grace: Option<i64>,
    uid: Option<String>,
    rv: Option<String>,
}

fn delete_opts(q: &Query, body: &[u8]) -> Result<DeleteOpts, ApiError> {
    let b: Value = if body.is_empty() { json!({}) } else { parse_body(body)? };
    Ok(DeleteOpts {
        propagation: q
            .get("propagationPolicy")
            .cloned()
            .or_else(|| b["propagationPolicy"].as_str().map(String::from)),
        grace: q
            .get("gracePeriodSeconds")
            .and_then(|g| g.parse().ok())
            .or_else(|| b["gracePeriodSeconds"].as_i64()),
        uid: b["preconditions"]["uid"].as_str().map(String::from),
        rv: b["preconditions"]["resourceVersion"].as_str().map(String::from),
    })
}

/// Deletes one object as the API server would; `None` when it is gone at once.
fn delete_one(st: &SimState, id: ResId, ns: &str, name: &str, opts: &DeleteOpts) -> Result<(Arc<Obj>, bool), ApiError> {
    let def = id.def();
    let cur = st
        .store
        .get(id, ns, name)
        .ok_or_else(|| ApiError::not_found(def, name))?;
    if let Some(u) = &opts.uid
        && *u != cur.uid
    {
        return Err(ApiError::conflict_msg(
            def,
            name,
            &format!(
                "Precondition failed: UID in precondition: {u}, UID in object meta: {}",
                cur.uid
            ),
        ));
    }
    if let Some(rv) = &opts.rv
        && *rv != cur.rv.to_string()
    {
        return Err(ApiError::conflict_msg(
            def,
            name,
            &format!(
                "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                cur.rv
            ),
        ));
    }
    // A CRD first gets the cleanup finalizer: it goes once its custom objects are deleted.
    let v = if id == crate::crd::crd_res() && !cur.deleting {
        crate::crd::controller::begin_delete(&st.store, name)?.value()
    } else {
        cur.value()
    };
    let finalizer = match opts.propagation.as_deref() {
        Some("Foreground") => Some("foregroundDeletion"),
        Some("Orphan") => Some("orphan"),
        Some("Background") | None => None,
        Some(other) => {
            return Err(ApiError::invalid(
                def,
                name,
                vec![Cause::invalid(
                    "propagationPolicy",
                    &json!(other),
                    "must be one of: Background, Foreground, Orphan",
                )],
            ));
        }
    };
    if id == pods() && finalizer.is_none() {
        return super::controllers::podutil::delete_pod_graceful(&st.store, ns, name, opts.grace);
    }
    let has_finalizers = v["metadata"]["finalizers"].as_array().is_some_and(|f| !f.is_empty());
    if finalizer.is_some() || has_finalizers || id == super::resources::res("Namespace") {
        let o = st.store.update_with(id, ns, name, |o| {
            if o["metadata"].get("deletionTimestamp").is_none() {
                o["metadata"]["deletionTimestamp"] = json!(now_str());
                o["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            }
            if let Some(f) = finalizer {
                let list = o["metadata"]["finalizers"].as_array().cloned().unwrap_or_default();
                if !list.iter().any(|x| x == f) {
                    let mut list = list;
                    list.push(json!(f));
                    o["metadata"]["finalizers"] = Value::Array(list);
                }
            }
            if o["kind"] == "Namespace" {
                o["status"]["phase"] = json!("Terminating");
            }
            Ok(())
        })?;
        if id == super::resources::res("Namespace") {
            tokio::spawn(finish_namespace(st.store.clone(), name.to_string()));
        }
        return Ok((o, false));
    }
    Ok((st.store.remove(id, ns, name)?, true))
}

/// The namespace controller's part: remove everything in the namespace, then the namespace.
async fn finish_namespace(store: Arc<super::store::Store>, ns: String) {
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let ids = (0..super::resources::RESOURCES.len() as u16)
        .map(ResId)
        .chain(store.custom_storage());
    for id in ids.filter(|id| id.def().namespaced) {
        for o in store.list(id, Some(&ns)).0 {
            let _ = store.remove(id, &o.ns, &o.name);
        }
    }
    let _ = store.remove(super::resources::res("Namespace"), "", &ns);
}

/// Deletes a pod with the options of an eviction's DeleteOptions body.
pub fn delete_pod(st: &SimState, ns: &str, name: &str, body: &[u8]) -> Result<(), ApiError> {
    let opts = delete_opts(&Query::new(), body)?;
    delete_one(st, pods(), ns, name, &opts).map(|_| ())
}

pub(super) fn delete(st: &SimState, t: &Target, q: &Query, body: &[u8], dry: bool) -> Result<Response, ApiError> {
    let opts = delete_opts(q, body)?;
    let def = t.res.def();
    if dry {
        let o = st
            .store
            .get(t.res, ns(t), name(t))
            .ok_or_else(|| ApiError::not_found(def, name(t)))?;
        return Ok(obj_response(200, &o));
    }
    let (o, gone) = delete_one(st, t.res, ns(t), name(t), &opts)?;
    // Most registries answer a finished delete with a Status; pods and services return the object.
    if gone && !matches!(def.kind, "Pod" | "Service") {
        return Ok(json_response(200, &success_status(def, &o.name, &o.uid)));
    }
    Ok(obj_response(200, &o))
}

pub(super) fn delete_collection(
    st: &SimState,
    t: &Target,
    q: &Query,
    body: &[u8],
    dry: bool,
) -> Result<Response, ApiError> {
    let opts = delete_opts(q, body)?;
    let filter = Filter::from_request(t, q)?;
    let (items, _) = st.store.list(t.res, t.ns.as_deref());
    let mut out = Vec::new();
    for o in items.iter().filter(|o| filter.matches(o)) {
        if dry {
            out.push(o.value());
        } else if let Ok((d, _)) = delete_one(st, t.res, &o.ns, &o.name, &opts) {
            out.push(d.value());
        }
    }
    let def = t.res.def();
    Ok(json_response(
        200,
        &json!({"kind": format!("{}List", def.kind), "apiVersion": def.api_version(), "metadata": {"resourceVersion": st.store.rv().to_string()}, "items": out}),
    ))
}
