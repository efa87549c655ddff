//! `/livez`, `/readyz` and `/healthz`, with the checks a v1.33 API server lists.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::request::{Query, SimState};

const LIVEZ: &[&str] = &[
    "ping",
    "log",
    "etcd",
    "poststarthook/start-apiserver-admission-initializer",
    "poststarthook/generic-apiserver-start-informers",
    "poststarthook/priority-and-fairness-config-consumer",
    "poststarthook/priority-and-fairness-filter",
    "poststarthook/storage-object-count-tracker-hook",
    "poststarthook/start-apiextensions-informers",
    "poststarthook/start-apiextensions-controllers",
    "poststarthook/crd-informer-synced",
    "poststarthook/start-system-namespaces-controller",
    "poststarthook/start-cluster-authentication-info-controller",
    "poststarthook/start-kube-apiserver-identity-lease-controller",
    "poststarthook/start-kube-apiserver-identity-lease-garbage-collector",
    "poststarthook/start-legacy-token-tracking-controller",
    "poststarthook/start-service-ip-repair-controllers",
    "poststarthook/rbac/bootstrap-roles",
    "poststarthook/scheduling/bootstrap-system-priority-classes",
    "poststarthook/priority-and-fairness-config-producer",
    "poststarthook/bootstrap-controller",
    "poststarthook/start-kube-aggregator-informers",
    "poststarthook/apiservice-status-local-available-controller",
    "poststarthook/apiservice-status-remote-available-controller",
    "poststarthook/apiservice-registration-controller",
    "poststarthook/apiservice-discovery-controller",
    "poststarthook/kube-apiserver-autoregistration",
    "autoregister-completion",
    "poststarthook/apiservice-openapi-controller",
    "poststarthook/apiservice-openapiv3-controller",
];

/// The checks of an endpoint, in the order the server prints them.
pub fn checks(endpoint: &str) -> Vec<&'static str> {
    let mut c = LIVEZ.to_vec();
    if endpoint == "readyz" {
        c.insert(3, "etcd-readiness");
        c.insert(4, "informer-sync");
        c.push("shutdown");
    }
    c
}

fn text(code: StatusCode, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = code;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut()
        .insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    r
}

/// Renders a health endpoint the way the real server does, `[+]check ok` / `[-]check failed: reason withheld`.
pub fn render(endpoint: &str, verbose: bool, failing: Option<&str>, only: Option<&str>) -> (StatusCode, String) {
    let all = checks(endpoint);
    let selected: Vec<&str> = match only {
        Some(one) => all.into_iter().filter(|c| *c == one).collect(),
        None => all,
    };
    if selected.is_empty() {
        return (StatusCode::NOT_FOUND, "404 page not found\n".into());
    }
    let failed = selected.iter().any(|c| Some(*c) == failing);
    if only.is_some() {
        return if failed {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal server error: reason withheld\n".into(),
            )
        } else {
            (StatusCode::OK, "ok".into())
        };
    }
    let mut out = String::new();
    for c in &selected {
        if Some(*c) == failing {
            out.push_str(&format!("[-]{c} failed: reason withheld\n"));
        } else if verbose || failed {
            out.push_str(&format!("[+]{c} ok\n"));
        }
    }
    if failed {
        out.push_str(&format!("{endpoint} check failed\n"));
        (StatusCode::INTERNAL_SERVER_ERROR, out)
    } else if verbose {
        out.push_str(&format!("{endpoint} check passed\n"));
        (StatusCode::OK, out)
    } else {
        (StatusCode::OK, "ok".into())
    }
}

/// Answers health paths; `None` for anything else.
pub fn route(st: &SimState, path: &str, q: &Query) -> Option<Response> {
    let segs: Vec<&str> = path.trim_matches('/').splitn(2, '/').collect();
    let endpoint = match segs[0] {
        "livez" => "livez",
        "readyz" => "readyz",
        "healthz" => "healthz",
        _ => return None,
    };
    let verbose = q.contains_key("verbose");
    let failing = st.faults.failing_check();
    let only = segs.get(1).copied();
    let (code, body) = render(
        if endpoint == "healthz" { "livez" } else { endpoint },
        verbose,
        failing.as_deref(),
        only,
    );
    let body = if endpoint == "healthz" {
        body.replace("livez check", "healthz check")
    } else {
        body
    };
    Some(text(code, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbose_lists_every_check_and_failures_turn_500() {
        let (code, body) = render("readyz", true, None, None);
        assert_eq!(code, StatusCode::OK);
        assert!(body.starts_with("[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n"));
        assert!(body.ends_with("readyz check passed\n"));
        let (code, body) = render("readyz", false, Some("etcd"), None);
        assert_eq!(code, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("[-]etcd failed: reason withheld\n"));
        assert!(body.ends_with("readyz check failed\n"));
        assert_eq!(render("livez", false, None, None), (StatusCode::OK, "ok".into()));
        assert_eq!(
            render("livez", false, Some("etcd"), Some("etcd")).0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(render("livez", false, None, Some("nope")).0, StatusCode::NOT_FOUND);
    }
}
