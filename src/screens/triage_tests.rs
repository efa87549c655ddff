//! The triage screen in the pure update and drawn into a TestBackend: `:triage`/`:problems`, its
//! rows worst first, `enter` to the object, `l` to its logs, the control plane's way in; and the
//! problems-only toggle of the lists in both keymaps.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use model::triage::{Finding, Severity};

use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::state::{State, ViewKind};
use crate::app::table::Row;
use crate::app::update::{key, update};
use crate::cluster::logs::Target;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::test_util::{connected, draw, show, text, type_keys};

const NOW: i64 = 1_800_000_000;

fn finding(severity: Severity, kind: Option<Kind>, name: &str, problem: &str, evidence: &str) -> Finding {
    Finding {
        severity,
        rule: "r",
        kind,
        namespace: "shop".into(),
        name: name.into(),
        key: format!("uid-{name}"),
        problem: problem.into(),
        since: Some(NOW - 300),
        evidence: evidence.into(),
    }
}

fn findings() -> Vec<Finding> {
    vec![
        finding(Severity::Info, Some(Kind::Node), "worker-2", "cordoned (SchedulingDisabled)", ""),
        finding(
            Severity::Error,
            Some(Kind::Pod),
            "checkout-7d9f",
            "CrashLoopBackOff (5 restarts)",
            "last exit: Error; back-off 1m20s restarting failed container",
        ),
        finding(Severity::Warning, Some(Kind::Deployment), "search", "1 of 1 replicas unavailable", ""),
        finding(Severity::Error, None, "control plane", "no kube-scheduler leader (lease not renewed)", ""),
    ]
}

fn opened(word: &str) -> State {
    let mut s = connected("demo", "shop", false);
    type_keys(&mut s, &format!(":{word}"));
    update(&mut s, key(KeyCode::Enter));
    s
}

fn fed() -> State {
    let mut s = opened("triage");
    update(
        &mut s,
        Input::Triage {
            findings: findings(),
            status: WatchStatus::Ready,
        },
    );
    s
}

pub(super) fn samples() -> Vec<State> {
    // The cursor mid-table, so that every move goes somewhere.
    let mut s = fed();
    update(&mut s, key(KeyCode::Down));
    vec![s]
}

#[test]
fn triage_and_problems_open_the_screen() {
    for word in ["triage", "problems"] {
        let s = opened(word);
        assert!(matches!(s.top().kind, ViewKind::Triage(_)), "{word}");
    }
}

#[test]
fn the_table_lists_worst_first_with_each_column() {
    let s = fed();
    let out = text(&draw(&s, 140, 14, NOW));
    for col in ["SEVERITY", "KIND", "NAMESPACE/NAME", "PROBLEM", "SINCE", "EVIDENCE"] {
        assert!(out.contains(col), "{col} missing:\n{out}");
    }
    let at = |what: &str| out.find(what).unwrap_or_else(|| panic!("{what} missing:\n{out}"));
    assert!(at("shop/checkout-7d9f") < at("shop/search"), "{out}");
    assert!(at("shop/search") < at("shop/worker-2"), "errors, then warnings, then info:\n{out}");
    assert!(out.contains("✖ ERROR") && out.contains("CrashLoopBackOff (5 restarts)") && out.contains("5m"));
    assert!(out.contains("last exit: Error; back-off"), "{out}");
    assert!(out.contains("no kube-scheduler leader"), "{out}");
}

#[test]
fn enter_opens_the_objects_list_with_the_cursor_sought_on_it() {
    let mut s = fed();
    // The first row is the oldest error: the control plane or the pod, both errors; find the pod.
    while crate::app::triage::current(&s).is_some_and(|f| f.kind != Some(Kind::Pod)) {
        update(&mut s, key(KeyCode::Down));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    let view = s.top();
    assert_eq!(view.kind, ViewKind::Resource(Kind::Pod));
    assert_eq!(view.pinned, Some(Scope::Namespace("shop".into())));
    assert_eq!(view.seeking.as_ref().map(|s| s.0.as_str()), Some("uid-checkout-7d9f"));
    assert!(
        effects.contains(&Effect::Watch(Kind::Pod, Scope::Namespace("shop".into()))),
        "{effects:?}"
    );
    // The list's rows arrive: the cursor goes on the pod.
    let rows: Vec<Row> = ["api-1", "checkout-7d9f", "web-1"]
        .iter()
        .map(|n| Row {
            key: format!("uid-{n}"),
            namespace: "shop".into(),
            name: n.to_string().into(),
            ..Row::default()
        })
        .collect();
    show(&mut s, Kind::Pod, Scope::Namespace("shop".into()), rows, WatchStatus::Ready);
    assert_eq!(s.top().table.current().map(|r| r.name.as_str()), Some("checkout-7d9f"));
}

#[test]
fn l_opens_the_logs_of_a_pod_and_a_control_plane_problem_opens_cp() {
    let mut s = fed();
    while crate::app::triage::current(&s).is_some_and(|f| f.kind != Some(Kind::Pod)) {
        update(&mut s, key(KeyCode::Down));
    }
    let effects = update(&mut s, key(KeyCode::Char('l')));
    let target = effects.iter().find_map(|e| match e {
        Effect::Logs { target, .. } => Some(target.clone()),
        _ => None,
    });
    assert_eq!(
        target,
        Some(Target::Pod {
            namespace: "shop".into(),
            name: "checkout-7d9f".into(),
            container: None
        })
    );
    let mut s = fed();
    while crate::app::triage::current(&s).is_some_and(|f| f.kind.is_some()) {
        update(&mut s, key(KeyCode::Down));
    }
    assert!(!crate::screens::applies(&s, crate::app::action::Action::Logs), "no logs for the control plane");
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.top().kind, ViewKind::ControlPlane { .. }));
}

#[test]
fn enter_on_the_control_plane_screen_opens_triage() {
    let mut s = opened("cp");
    assert!(matches!(s.top().kind, ViewKind::ControlPlane { .. }));
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.top().kind, ViewKind::Triage(_)));
}

fn pods_with_one_crash_loop() -> State {
    let crash: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "checkout-7d9f", "namespace": "shop", "uid": "u1"},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
        "status": {"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": false,
            "restartCount": 5, "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}}}]}
    }))
    .unwrap();
    let fine = |name: &str| Row {
        key: name.into(),
        namespace: "shop".into(),
        name: name.into(),
        cells: vec!["1/1".into(), "Running".into(), "0".into()],
        ..Row::default()
    };
    let rows = vec![fine("api-1"), model::rows::pod(&crash), fine("web-1")];
    let mut s = connected("demo", "shop", false);
    show(&mut s, Kind::Pod, Scope::Namespace("shop".into()), rows, WatchStatus::Ready);
    s
}

fn ctrl_z() -> Input {
    Input::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL))
}

#[test]
fn ctrl_z_keeps_the_flagged_rows_in_both_keymaps_and_says_so_in_the_title() {
    for keymap in ["default", "vim"] {
        let mut s = pods_with_one_crash_loop();
        s.keymap = crate::config::keymap::builtin(keymap).unwrap();
        assert_eq!(s.top().table.visible.len(), 3);
        update(&mut s, ctrl_z());
        assert_eq!(s.top().table.visible.len(), 1, "{keymap}");
        assert_eq!(s.top().table.current().map(|r| r.name.as_str()), Some("checkout-7d9f"));
        let out = text(&draw(&s, 120, 12, NOW));
        assert!(out.contains("[problems only]"), "{keymap}:\n{out}");
        assert!(!out.contains("web-1"), "{out}");
        update(&mut s, ctrl_z());
        assert_eq!(s.top().table.visible.len(), 3, "{keymap}: off again");
        let out = text(&draw(&s, 120, 12, NOW));
        assert!(!out.contains("[problems only]") && out.contains("web-1"), "{out}");
    }
}
