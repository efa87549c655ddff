//! HTTP front of the demo cluster: authentication, fault injection, routing to handlers.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};

use super::request::{Query, SimState, Target, User, parse_query};
use super::status::ApiError;
use super::store::Store;
use super::store::pods;
use super::{attach, discovery, ephemeral, exec, health, logs, metrics, openapi, portforward, proto, rest, watch};

/// Bearer token of the demo cluster's administrator.
pub const ADMIN_TOKEN: &str = "kubedeck-demo-admin";
/// Bearer token of "jane", the user that faults can refuse.
pub const RESTRICTED_TOKEN: &str = "kubedeck-demo-jane";

/// The router, with state.
pub fn router(state: Arc<SimState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

/// The user a request's bearer token names.
pub fn authenticate(headers: &HeaderMap) -> Option<User> {
    let token = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .trim();
    match token {
        ADMIN_TOKEN => Some(User("admin".into())),
        RESTRICTED_TOKEN => Some(User("jane".into())),
        _ => None,
    }
}

/// Splits `/api/v1/...` or `/apis/g/v/...` into a resource target (built-in or served custom).
pub fn parse_target(store: &Store, path: &str) -> Option<Target> {
    let lookup = |g: &str, v: &str, p: &str| store.lookup(g, v, p);
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return None,
    };
    let t = |plural: &str, ns: Option<&str>, name: Option<&str>, sub: Option<&str>| {
        let res = lookup(group, version, plural)?;
        if ns.is_some() && !res.def().namespaced {
            return None;
        }
        let stored = res.def();
        let as_version = (stored.version != version).then(|| format!("{group}/{version}"));
        Some(Target {
            res,
            ns: ns.map(String::from),
            name: name.map(String::from),
            sub: sub.map(String::from),
            as_version,
        })
    };
    let namespaced_plural = |p: &str| lookup(group, version, p).is_some_and(|r| r.def().namespaced);
    match rest {
        [plural] => t(plural, None, None, None),
        ["namespaces", ns, plural] if namespaced_plural(plural) => t(plural, Some(ns), None, None),
        ["namespaces", ns, plural, name] => t(plural, Some(ns), Some(name), None),
        ["namespaces", ns, plural, name, sub] => t(plural, Some(ns), Some(name), Some(sub)),
        [plural, name] => t(plural, None, Some(name), None),
        [plural, name, sub] => t(plural, None, Some(name), Some(sub)),
        _ => None,
    }
}

/// The verb RBAC would check for this request.
fn verb(method: &Method, t: &Target, q: &Query) -> &'static str {
    let watch = q.get("watch").is_some_and(|w| w == "true" || w == "1");
    if matches!(t.sub.as_deref(), Some("exec" | "attach" | "portforward")) {
        // RBAC checks `create` on these whatever the method (a WebSocket upgrade is a GET).
        return "create";
    }
    match (method.as_str(), t.name.is_some()) {
        ("GET", _) if watch => "watch",
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", false) => "deletecollection",
        ("DELETE", true) => "delete",
        _ => "get",
    }
}

async fn handle(State(st): State<Arc<SimState>>, req: Request) -> Response {
    st.agents
        .record(req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()));
    let user = authenticate(req.headers());
    // The fault switches answer even while the server plays dead, or nothing could thaw it.
    if let Some(r) = super::admin::route(&st, user.as_ref(), req.method(), req.uri()) {
        return r;
    }
    if let Some(u) = &user {
        // Counted on arrival: a request a frozen server holds has still reached it.
        st.faults.count_request(&u.0);
    }
    st.faults.thawed().await;
    let latency = st.faults.latency_ms();
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let Some(user) = user else {
        return ApiError::unauthorized().into_response();
    };
    if st.faults.take_throttle() {
        return ApiError::too_many_requests(1).into_response();
    }
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let q = parse_query(parts.uri.query());
    let body = match axum::body::to_bytes(body, 64 << 20).await {
        Ok(b) => b,
        Err(e) => return ApiError::bad_request(format!("reading request body: {e}")).into_response(),
    };
    tracing::debug!(method = %parts.method, %path, "request");
    st.faults.count_path(&path);

    if let Some(r) = metrics::route(&st, &user, &parts.method, &path, &q) {
        return r;
    }
    if let Some(r) = discovery::route(&st, &parts.method, &path, &parts.headers) {
        return r;
    }
    if let Some(r) = openapi::route(&st, &path) {
        return r;
    }
    if let Some(r) = health::route(&st, &path, &q) {
        return r;
    }
    let Some(t) = parse_target(&st.store, &path) else {
        return ApiError::no_route().into_response();
    };
    let v = verb(&parts.method, &t, &q);
    let sub_plural = t.sub.as_ref().map(|s| format!("{}/{s}", t.res.def().plural));
    st.faults
        .count_verb(v, sub_plural.as_deref().unwrap_or(t.res.def().plural));
    if st.faults.is_denied(&user.0, t.res.def().plural, t.ns.as_deref())
        || sub_plural.is_some_and(|p| st.faults.is_denied(&user.0, &p, t.ns.as_deref()))
    {
        return ApiError::forbidden(
            &user.0,
            v,
            t.res.def(),
            t.ns.as_deref(),
            t.name.as_deref(),
            t.sub.as_deref(),
        )
        .into_response();
    }
    // Decoded after authorization, as the API server does; the handlers see the JSON object.
    let body = match proto::json_body(&t, &mut parts.headers, body) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let result = match (v, t.sub.as_deref()) {
        ("watch", None) => {
            let accept = parts
                .headers
                .get(header::ACCEPT)
                .and_then(|a| a.to_str().ok())
                .unwrap_or("");
            return watch::serve(st.clone(), t, q, accept);
        }
        ("get", Some("log")) => return logs::serve(&st, &t, &q),
        ("create", Some("exec")) if t.res == pods() && t.ns.is_some() => {
            let query = parts.uri.query();
            return exec::serve(&st, &t, query, &parts.headers, &mut parts.extensions)
                .unwrap_or_else(IntoResponse::into_response);
        }
        ("create", Some("attach")) if t.res == pods() && t.ns.is_some() => {
            let query = parts.uri.query();
            return attach::serve(&st, &t, query, &parts.headers, &mut parts.extensions)
                .unwrap_or_else(IntoResponse::into_response);
        }
        (_, Some("ephemeralcontainers")) if t.res == pods() && t.ns.is_some() && t.name.is_some() => {
            ephemeral::serve(&st, &parts.method, &parts.headers, &t, body)
        }
        ("create", Some("portforward")) if t.res == pods() && t.ns.is_some() => {
            let query = parts.uri.query();
            return portforward::serve(&st, &t, query, &parts.headers, &mut parts.extensions)
                .unwrap_or_else(IntoResponse::into_response);
        }
        _ => rest::dispatch(&st, &parts.method, &parts.headers, &t, &q, body).await,
    };
    match (result, &t.as_version) {
        (Ok(r), Some(api_version)) => crate::crd::convert::response(r, t.res.def(), api_version).await,
        (Ok(r), None) => r,
        (Err(e), _) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_like_the_api_server() {
        let store = Store::new(10);
        let parse_target = |p: &str| super::parse_target(&store, p);
        let t = parse_target("/api/v1/namespaces/default/pods/web-1/log").unwrap();
        assert_eq!(
            (t.res.def().plural, t.ns.as_deref(), t.name.as_deref(), t.sub.as_deref()),
            ("pods", Some("default"), Some("web-1"), Some("log"))
        );
        let t = parse_target("/api/v1/namespaces/kube-system").unwrap();
        assert_eq!(
            (t.res.def().plural, t.name.as_deref()),
            ("namespaces", Some("kube-system"))
        );
        let t = parse_target("/api/v1/namespaces/kube-system/status").unwrap();
        assert_eq!((t.res.def().plural, t.sub.as_deref()), ("namespaces", Some("status")));
        let t = parse_target("/apis/apps/v1/namespaces/shop/deployments").unwrap();
        assert_eq!(
            (t.res.def().kind, t.ns.as_deref(), t.name),
            ("Deployment", Some("shop"), None)
        );
        assert!(parse_target("/apis/apps/v1/namespaces/shop/nodes").is_none());
        assert!(parse_target("/apis/nope/v1/things").is_none());
    }
}
