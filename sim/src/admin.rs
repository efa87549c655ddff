//! Fault switches over HTTP, for the administrator only, so that faults can be shown by hand against
//! `kubedeck demo-server`: `curl -k -H "Authorization: Bearer kubedeck-demo-admin" -X POST
//! https://127.0.0.1:PORT/sim/faults/freeze?secs=30`. `GET /sim/verbs` counts the requests so far by
//! RBAC verb and resource, the metrics API's reads and the `/version` probes.

use std::time::Duration;

use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::request::{SimState, User, json_response, parse_query};
use super::status::ApiError;

/// Where the switches live; no Kubernetes API path starts so.
pub const PREFIX: &str = "/sim/";

/// Answers a request under [`PREFIX`], or `None` for every other path.
pub fn route(st: &SimState, user: Option<&User>, method: &Method, uri: &Uri) -> Option<Response> {
    let what = uri.path().strip_prefix(PREFIX)?;
    match user {
        None => return Some(ApiError::unauthorized().into_response()),
        // Known but not the administrator: 403, as an API server answers a path RBAC does not allow
        // (a 401 would have kubectl tell a logged-in user to log in).
        Some(u) if u.0 != "admin" => {
            let verb = method.as_str().to_lowercase();
            return Some(ApiError::forbidden_path(&u.0, &verb, uri.path()).into_response());
        }
        Some(_) => {}
    }
    let q = parse_query(uri.query());
    let secs = |name: &str| q.get(name).and_then(|v| v.parse::<f64>().ok()).filter(|s| *s >= 0.0);
    let faults = &st.faults;
    match (method.as_str(), what) {
        ("GET", "requests") => {
            let user = q.get("user").map_or("jane", String::as_str);
            return Some(json_response(
                200,
                &json!({"user": user, "requests": faults.requests(user)}),
            ));
        }
        ("GET", "verbs") => {
            let verbs: serde_json::Map<String, serde_json::Value> = faults
                .verbs()
                .into_iter()
                .map(|((verb, resource), n)| (format!("{verb} {resource}"), n.into()))
                .collect();
            return Some(json_response(
                200,
                &json!({"verbs": verbs, "metrics": faults.metrics_reads(), "version": faults.requests_to("/version")}),
            ));
        }
        ("POST", "faults/freeze") => {
            faults.freeze();
            if let Some(s) = secs("secs") {
                let faults = faults.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs_f64(s)).await;
                    faults.thaw();
                });
            }
        }
        ("POST", "faults/thaw") => faults.thaw(),
        ("POST", "faults/metrics-unavailable") => faults.set_metrics_unavailable(true),
        ("POST", "faults/metrics-available") => faults.set_metrics_unavailable(false),
        ("POST", "faults/restart") => faults.restart(Duration::from_secs_f64(secs("down").unwrap_or(10.0))),
        ("POST", "faults/confine") => match (q.get("user"), q.get("namespace")) {
            (Some(u), Some(ns)) => faults.confine(u, ns),
            _ => return Some(ApiError::bad_request("confine needs user= and namespace=").into_response()),
        },
        _ => {
            let known = "GET requests?user=U, GET verbs, POST faults/freeze[?secs=S], faults/thaw, faults/metrics-unavailable, faults/metrics-available, faults/restart?down=S, faults/confine?user=U&namespace=NS";
            return Some(ApiError::bad_request(format!("unknown fault switch {what:?}: {known}")).into_response());
        }
    }
    Some(json_response(200, &json!({"ok": what})))
}
