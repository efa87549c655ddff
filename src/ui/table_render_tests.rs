//! Column sizing at 80 and 100 columns: identifying columns stay whole, free text is cut with `…`
//! and the cursor row's cut cells are readable in the detail line under the table.

use std::sync::Arc;

use crossterm::event::KeyCode;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Pod};
use serde_json::json;

use crate::app::state::State;
use crate::app::update::key;
use crate::app::{Input, update};
use crate::cluster::Kind;
use crate::cluster::rows as r;
use crate::cluster::watch::WatchStatus;
use crate::test_util::{self, draw, text};

/// 2023-11-14T22:13:20Z.
const NOW: i64 = 1_700_000_000;

const LONG_MESSAGE: &str = "Readiness probe failed: Get \"http://10.244.1.7:8080/ready\": context deadline \
     exceeded (Client.Timeout exceeded while awaiting headers)";

fn feed(s: &mut State, rows: Vec<r::Row>) {
    let watch = s.wanted().unwrap();
    let rows = rows.into_iter().map(Arc::new).collect();
    update(
        s,
        Input::Rows {
            watch,
            rows: Some(rows),
            status: WatchStatus::Ready,
        },
    );
}

fn line_with<'a>(out: &'a str, needle: &str) -> &'a str {
    out.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}\n{out}"))
}

fn event(name: &str, reason: &str, object: &str, message: &str) -> r::Row {
    let e: Event = serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "shop", "uid": format!("uid-{name}"),
            "creationTimestamp": "2023-11-14T22:00:00Z"},
        "involvedObject": {"kind": "Pod", "name": object, "namespace": "shop"},
        "reason": reason, "type": "Warning", "message": message, "count": 3,
        "lastTimestamp": "2023-11-14T22:12:00Z", "firstTimestamp": "2023-11-14T22:00:00Z",
        "source": {"component": "kubelet", "host": "worker-1"}
    }))
    .unwrap();
    r::event(&e)
}

fn events_screen(width: u16) -> String {
    let mut s = test_util::connected("demo", "shop", false);
    test_util::open(&mut s, Kind::Event);
    feed(
        &mut s,
        vec![
            event("a", "Unhealthy", "checkout-7d9f8b6c4-x2x9z", LONG_MESSAGE),
            event(
                "b",
                "BackOff",
                "recommendations-5c8d-k2l4p",
                "Back-off restarting failed container",
            ),
        ],
    );
    text(&draw(&s, width, 24, NOW))
}

#[test]
fn events_keep_every_column_and_cut_only_the_message() {
    for width in [80, 100] {
        let out = events_screen(width);
        let header = line_with(&out, "REASON");
        for col in ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"] {
            assert!(header.contains(col), "{width}: {col}\n{out}");
        }
        let row = line_with(&out, "pod/checkout-7d9f8b6c4-x2x9z");
        assert!(row.contains("Warning") && row.contains("Unhealthy"), "{width}\n{out}");
        assert!(
            row.contains("Readiness") && row.trim_end_matches([' ', '│']).ends_with('…'),
            "{width}\n{out}"
        );
        // The cursor row's message, whole, under the table (wrapped, so read it without the breaks).
        let detail: String = out
            .lines()
            .skip_while(|l| !l.contains("MESSAGE Readiness"))
            .map(|l| l.trim_matches(['│', ' ']).to_string() + " ")
            .collect();
        assert!(detail.contains("awaiting headers)"), "{width}\n{out}");
    }
}

fn pod() -> Pod {
    let probe = json!({"httpGet": {"path": "/healthz/live", "port": 8080}, "initialDelaySeconds": 5,
        "timeoutSeconds": 1, "periodSeconds": 10});
    serde_json::from_value(json!({
        "metadata": {"name": "checkout-7d9f8b6c4-x2x9z", "namespace": "shop", "uid": "uid-p",
            "creationTimestamp": "2023-11-14T22:00:00Z"},
        "spec": {"containers": [{"name": "checkout", "image": "registry.example.com/shop/checkout:1.4.2",
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "livenessProbe": probe, "readinessProbe": probe}]},
        "status": {"phase": "Running", "containerStatuses": [{"name": "checkout",
            "image": "registry.example.com/shop/checkout:1.4.2", "imageID": "", "ready": true,
            "restartCount": 0, "state": {"running": {"startedAt": "2023-11-14T22:01:00Z"}}}]}
    }))
    .unwrap()
}

#[test]
fn containers_keep_name_and_state_and_cut_the_probes() {
    for width in [80, 100] {
        let mut s = test_util::connected("demo", "shop", false);
        feed(&mut s, vec![r::pod(&pod())]);
        update(&mut s, key(KeyCode::Enter));
        feed(&mut s, crate::store::containers::rows(&pod()));
        let out = text(&draw(&s, width, 24, NOW));
        let header = line_with(&out, "RESTARTS");
        for col in ["NAME", "TYPE", "READY", "STATE", "RESTARTS", "PORTS"] {
            assert!(header.contains(col), "{width}: {col}\n{out}");
        }
        let row = line_with(&out, "checkout ");
        assert!(
            row.contains("main") && row.contains("true") && row.contains("Running") && row.contains("8080/TCP"),
            "{width}\n{out}"
        );
        assert!(row.contains('…'), "{width}: the probes are cut\n{out}");
        assert!(
            out.contains("PROBES liveness http-get"),
            "{width}: the detail line\n{out}"
        );
    }
}

fn deployment(name: &str) -> r::Row {
    let labels = json!({"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "shop",
        "tier": "backend"});
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "shop", "uid": format!("uid-{name}"),
            "creationTimestamp": "2023-11-14T22:00:00Z"},
        "spec": {"replicas": 2, "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                {"name": name, "image": format!("registry.example.com/shop/{name}:2.0.1")}]}}},
        "status": {"replicas": 2, "readyReplicas": 2, "updatedReplicas": 2, "availableReplicas": 2}
    }))
    .unwrap();
    r::deployment(&d)
}

#[test]
fn deployments_wide_keep_their_names_whole() {
    for width in [80, 100] {
        let mut s = test_util::connected("demo", "shop", false);
        test_util::open(&mut s, Kind::Deployment);
        feed(&mut s, vec![deployment("checkout"), deployment("recommendations")]);
        update(&mut s, key(KeyCode::Char('w')));
        let out = text(&draw(&s, width, 24, NOW));
        // The summed usage columns (empty: no sample here) leave IMAGES its first letters at 80.
        let header = line_with(&out, "NAME");
        assert!(header.contains("IMA") && header.contains("CPU  MEM"), "{width}\n{out}");
        let row = line_with(&out, "recommendations ");
        assert!(row.contains("2/2"), "{width}\n{out}");
        assert!(row.contains('…'), "{width}: the selector is cut\n{out}");
        assert!(line_with(&out, "checkout ").contains("2/2"), "{width}\n{out}");
        let whole = "app.kubernetes.io/name=checkout,app.kubernetes.io/part-of=shop,tier=backend";
        assert!(out.contains(whole), "{width}: the detail line\n{out}");
    }
}
