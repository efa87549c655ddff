//! The health panel under the nodes list: judged when fetched, refetched when old, its key from
//! the keymap, a cordon said in words.

use crate::app::table::Row;
use crate::app::{Effect, Input, update};
use crate::cluster::health::{LeaseInfo, Panel};
use crate::cluster::nodehealth::{Condition, NodeHealth, Usage};
use crate::cluster::ops::{ObjRef, Op, Success};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::test_util;

const NOW: i64 = 1_700_000_000;

/// worker-1 as fetched at `taken`: all conditions healthy, its lease renewed 2 s before that.
fn healthy(taken: i64) -> NodeHealth {
    NodeHealth {
        name: "worker-1".into(),
        taken,
        error: None,
        conditions: vec![Condition {
            kind: "Ready".into(),
            status: "True".into(),
            reason: "KubeletReady".into(),
            message: String::new(),
            since: Some(taken - 86_400),
        }],
        lease: Panel::Ok(Some(LeaseInfo {
            name: "worker-1".into(),
            holder: Some("worker-1".into()),
            renewed: Some(taken - 2),
            duration: Some(40),
            transitions: None,
            present: true,
        })),
        kubelet: "v1.33.4".into(),
        kube_proxy: "v1.33.4".into(),
        runtime: "containerd://1.7.27".into(),
        unschedulable: false,
        taints: vec![],
        pod_capacity: Some(110),
        load: Panel::Failed("not fetched".into()),
        usage: Usage::NotAvailable,
    }
}

/// The nodes list with worker-1 under the cursor and `h` held for it.
fn nodes_list(h: NodeHealth, keymap: &str) -> crate::app::State {
    let mut s = test_util::connected("demo", "default", false);
    s.keymap = crate::config::keymap::builtin(keymap).unwrap();
    let row = Row {
        key: "uid-worker-1".into(),
        name: "worker-1".into(),
        ..Default::default()
    };
    test_util::show(&mut s, Kind::Node, Scope::All, vec![row], WatchStatus::Ready);
    update(&mut s, Input::NodeHealth(Box::new(h)));
    s
}

fn screen(s: &crate::app::State) -> String {
    test_util::text(&test_util::draw(s, 150, 30, NOW))
}

#[test]
fn a_lease_renewed_on_time_is_fresh_however_long_ago_the_data_was_fetched() {
    // Fetched 52 s ago (the user was on another screen): renewed 2 s before that, within 40 s.
    let out = screen(&nodes_list(healthy(NOW - 52), "default"));
    assert!(out.contains("heartbeat ✔ renewed 2s ago"), "{out}");
    assert!(!out.contains("STALE"), "{out}");
}

#[test]
fn held_health_older_than_a_refresh_is_fetched_again_at_once() {
    let mut s = nodes_list(healthy(NOW - 3), "default");
    assert!(
        crate::app::nodehealth::follow_cursor(&mut s, NOW).is_empty(),
        "fresh enough"
    );
    let mut s = nodes_list(healthy(NOW - 52), "default");
    assert_eq!(
        crate::app::nodehealth::follow_cursor(&mut s, NOW),
        [Effect::FetchNodeHealth("worker-1".into())]
    );
}

#[test]
fn the_panel_names_the_details_key_of_the_active_keymap() {
    let out = screen(&nodes_list(healthy(NOW), "default"));
    assert!(out.contains("worker-1: health (H: details)"), "{out}");
    let out = screen(&nodes_list(healthy(NOW), "vim"));
    assert!(out.contains("worker-1: health (g H: details)"), "{out}");
}

#[test]
fn a_cordoned_node_says_so_beside_its_taints_and_a_cordon_refetches() {
    let mut h = healthy(NOW);
    h.unschedulable = true;
    let mut s = nodes_list(h, "default");
    let out = screen(&s);
    assert!(out.contains("! cordoned (unschedulable)   taints <none>"), "{out}");
    // A cordon done from the list: its panel is fetched again, not left showing the node before it.
    let effects = update(
        &mut s,
        Input::Done {
            target: ObjRef::new(Kind::Node, "", "worker-1"),
            op: Op::Uncordon,
            result: Ok(Success::changed("node/worker-1 uncordoned")),
        },
    );
    assert!(
        effects.contains(&Effect::FetchNodeHealth("worker-1".into())),
        "{effects:?}"
    );
}
