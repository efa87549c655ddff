//! Unit tests of the report's pure parts: lease staleness, webhook failure policy, endpoints, events.

use k8s_openapi::api::admissionregistration::v1::ValidatingWebhookConfiguration;
use k8s_openapi::api::core::v1::Event;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use serde_json::json;

use super::LeaseInfo;
use super::fetch::{any_ready, hooks, warnings};

fn lease(holder: Option<&str>, renewed: Option<i64>) -> LeaseInfo {
    LeaseInfo {
        name: "kube-scheduler".into(),
        holder: holder.map(String::from),
        renewed,
        duration: Some(15),
        transitions: Some(0),
        present: true,
    }
}

#[test]
fn a_lease_is_stale_past_its_duration_or_without_holder() {
    assert!(!lease(Some("a"), Some(100)).stale(115));
    assert!(lease(Some("a"), Some(100)).stale(116));
    assert!(lease(None, Some(100)).stale(101), "released lease: no leader");
    assert!(lease(Some("a"), None).stale(0), "never renewed");
    let absent = LeaseInfo {
        present: false,
        ..lease(None, None)
    };
    assert!(!absent.stale(1000), "an absent lease is not an alarm");
}

#[test]
fn an_unset_failure_policy_is_fail_and_url_webhooks_have_no_service() {
    let v: ValidatingWebhookConfiguration = serde_json::from_value(json!({
        "metadata": {"name": "cfg"},
        "webhooks": [
            {"name": "a", "admissionReviewVersions": ["v1"], "sideEffects": "None",
             "clientConfig": {"service": {"namespace": "ns", "name": "svc"}},
             "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}]},
            {"name": "b", "admissionReviewVersions": ["v1"], "sideEffects": "None", "failurePolicy": "Ignore",
             "clientConfig": {"service": {"namespace": "ns", "name": "svc"}}},
            {"name": "c", "admissionReviewVersions": ["v1"], "sideEffects": "None",
             "clientConfig": {"url": "https://example.com/hook"}}
        ]
    }))
    .unwrap();
    let h = hooks(&[v], &[]);
    assert_eq!(h.len(), 3);
    assert!(h[0].fail && !h[1].fail && h[2].fail);
    assert_eq!(h[0].service, Some(("ns".into(), "svc".into())));
    assert_eq!(h[0].rules, "CREATE pods");
    assert_eq!(h[2].service, None);
}

#[test]
fn endpoints_are_ready_unless_marked_not_ready() {
    let slice = |cond: serde_json::Value| -> EndpointSlice {
        serde_json::from_value(json!({"metadata": {"name": "s"}, "addressType": "IPv4",
            "endpoints": [{"addresses": ["10.0.0.1"], "conditions": cond}]}))
        .unwrap()
    };
    assert!(any_ready(&[slice(json!({}))]), "nil ready means ready");
    assert!(any_ready(&[slice(json!({"ready": true}))]));
    assert!(!any_ready(&[slice(json!({"ready": false}))]));
    assert!(!any_ready(&[]));
}

#[test]
fn only_recent_warnings_newest_first() {
    let ev = |name: &str, kind: &str, at: &str| -> Event {
        serde_json::from_value(
            json!({"metadata": {"name": name, "namespace": "kube-system"}, "type": kind,
            "reason": "BackOff", "message": " restarting ", "lastTimestamp": at,
            "involvedObject": {"kind": "Pod", "name": name}}),
        )
        .unwrap()
    };
    let now: jiff::Timestamp = "2026-01-01T12:00:00Z".parse().unwrap();
    let list = [
        ev("old", "Warning", "2026-01-01T10:00:00Z"),
        ev("a", "Warning", "2026-01-01T11:30:00Z"),
        ev("b", "Warning", "2026-01-01T11:50:00Z"),
        ev("n", "Normal", "2026-01-01T11:59:00Z"),
    ];
    let w = warnings(&list, now.as_second());
    let names: Vec<&str> = w.iter().map(|e| e.object.as_str()).collect();
    assert_eq!(names, ["pod/b", "pod/a"]);
    assert_eq!(w[0].message, "restarting");
}

/// The demo's scenario loads the static control-plane pods as this module reads them: running and ready.
#[test]
fn the_control_plane_is_running_and_ready_when_loaded() {
    let s = sim::Store::new(10_000);
    sim::load_scenario(&s, &sim::SimOptions::default());
    for o in s.list(sim::res("Pod"), Some("kube-system")).0 {
        let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(o.value()).unwrap();
        let cp = super::fetch::cp_pod(&pod);
        assert!(cp.healthy(), "{cp:?}");
        assert_eq!(
            pod.status.unwrap().pod_ip.as_deref(),
            Some("192.168.10.10"),
            "host network"
        );
    }
}
