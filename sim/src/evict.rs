//! The pod eviction subresource, with PodDisruptionBudgets checked as the API server does.

use axum::response::Response;
use serde_json::{Value, json};

use super::request::{SimState, Target, json_response};
use super::resources::res;
use super::select::LabelSelector;
use super::status::ApiError;
use super::store::pods;

/// `POST pods/{name}/eviction`.
pub fn evict(st: &SimState, t: &Target, body: &[u8], dry: bool) -> Result<Response, ApiError> {
    let ns = t.ns.as_deref().unwrap_or("");
    let name = t.name.as_deref().unwrap_or("");
    let ev: Value = serde_json::from_slice(body).unwrap_or(json!({}));
    let pod = st
        .store
        .get(pods(), ns, name)
        .ok_or_else(|| ApiError::not_found(pods().def(), name))?;
    let pv = pod.value();
    let phase = pv["status"]["phase"].as_str().unwrap_or("");
    // Terminal, pending and already-terminating pods are evicted without consulting budgets.
    let consult = phase == "Running" && !pod.deleting;
    if consult {
        let pdbs: Vec<Value> = st
            .store
            .list(res("PodDisruptionBudget"), Some(ns))
            .0
            .iter()
            .map(|o| o.value())
            .filter(|p| LabelSelector::from_value(&p["spec"]["selector"]).matches(&pod.labels))
            .collect();
        if pdbs.len() > 1 {
            return Err(ApiError::internal(
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            ));
        }
        if let Some(pdb) = pdbs.first() {
            let allowed = pdb["status"]["disruptionsAllowed"].as_i64().unwrap_or(0);
            if allowed < 1 {
                let mut e = ApiError::too_many_requests(10);
                e.message = "Cannot evict pod as it would violate the pod's disruption budget.".into();
                e.retry_after = None;
                e.details = Some(json!({"causes": [{
                    "reason": "DisruptionBudget",
                    "message": format!(
                        "The disruption budget {} needs {} healthy pods and has {} currently",
                        pdb["metadata"]["name"].as_str().unwrap_or_default(),
                        pdb["status"]["desiredHealthy"].as_i64().unwrap_or(0),
                        pdb["status"]["currentHealthy"].as_i64().unwrap_or(0)
                    ),
                }]}));
                return Err(e);
            }
            if !dry {
                let pdb_name = pdb["metadata"]["name"].as_str().unwrap_or_default().to_string();
                st.store.update_with(res("PodDisruptionBudget"), ns, &pdb_name, |p| {
                    let allowed = p["status"]["disruptionsAllowed"].as_i64().unwrap_or(0);
                    p["status"]["disruptionsAllowed"] = json!((allowed - 1).max(0));
                    p["status"]["disruptedPods"][name] = json!(super::store::now_str());
                    Ok(())
                })?;
            }
        }
    }
    if !dry {
        let body = serde_json::to_vec(&ev["deleteOptions"]).unwrap_or_default();
        let body = if ev["deleteOptions"].is_object() {
            body
        } else {
            Vec::new()
        };
        super::delete::delete_pod(st, ns, name, &body)?;
    }
    Ok(json_response(
        201,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
    ))
}
