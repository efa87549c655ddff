//! Render tests of the action dialogs, the rollout history with its diff, and the live panel.

use crossterm::event::KeyCode;
use ratatui::style::Color;
use serde_json::json;

use crate::app::dialog::{HistoryBody, HistoryView, Panel, PanelKind};
use crate::app::state::{State, View, ViewKind};
use crate::app::update::key;
use crate::app::{Input, update};
use crate::cluster::Kind;
use crate::cluster::ops::RESTARTED_AT;
use crate::cluster::ops::drain::Line;
use crate::cluster::ops::history::{self, REVISION};
use crate::cluster::ops::precheck::ScaleInfo;
use crate::cluster::ops::{ObjRef, Success};
use crate::test_util;

const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn draw(state: &State, w: u16, h: u16) -> (String, ratatui::buffer::Buffer) {
    let buf = test_util::draw(state, w, h, NOW);
    (test_util::text(&buf), buf)
}

fn connected() -> State {
    test_util::connected("prod", "shop", false)
}

fn web() -> ObjRef {
    ObjRef::new(Kind::Deployment, "shop", "web")
}

fn history_state() -> State {
    let t = |image: &str, restarted: Option<&str>| {
        let mut t =
            json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}});
        if let Some(at) = restarted {
            t["metadata"]["annotations"] = json!({RESTARTED_AT: at});
        }
        t
    };
    let rs = |name: &str, rev: &str, template: serde_json::Value| {
        json!({"metadata": {"name": name, "creationTimestamp": "2025-12-31T22:00:00Z",
            "annotations": {REVISION: rev, history::CHANGE_CAUSE: format!("rev {rev}")},
            "ownerReferences": [{"uid": "u", "controller": true}]},
            "spec": {"replicas": 3, "template": template}, "status": {"readyReplicas": 3}})
    };
    let live = t("nginx:1.27", Some("2026-01-01T00:00:00Z"));
    let owner = json!({"metadata": {"uid": "u", "annotations": {REVISION: "3"}}, "spec": {"template": live.clone()}});
    let hist = history::from_objects(
        &web(),
        &owner,
        &[
            rs("web-aaa", "1", t("nginx:1.26", None)),
            rs("web-bbb", "2", t("nginx:1.27", None)),
            rs("web-ccc", "3", live),
        ],
    );
    let mut s = connected();
    let mut h = HistoryView::loading(web());
    h.body = HistoryBody::Ready(hist);
    s.stack.push(View::new(ViewKind::History(Box::new(h))));
    s
}

#[test]
fn history_lists_revisions_marks_and_a_coloured_diff() {
    let mut s = history_state();
    let (text, _) = draw(&s, 140, 30);
    assert!(text.contains("rollout history deployment.apps/web"), "{text}");
    for want in [
        "REVISION",
        "CHANGE-CAUSE",
        "web-ccc",
        "current, restart only",
        "web=nginx:1.26",
        "rev 1",
        "3/3",
        "120m",
    ] {
        assert!(text.contains(want), "missing {want:?}:\n{text}");
    }
    assert!(text.contains("No difference from the live pod template"), "{text}");
    // The oldest revision: its image differs, in red (live) and green (revision).
    update(&mut s, key(KeyCode::Char('j')));
    update(&mut s, key(KeyCode::Char('j')));
    let (text, buf) = draw(&s, 140, 30);
    assert!(text.contains("diff live → revision 1"), "{text}");
    let find = |needle: &str| {
        let row = text
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle}\n{text}"));
        let col = text
            .lines()
            .nth(row)
            .unwrap()
            .chars()
            .position(|c| c == needle.chars().next().unwrap())
            .unwrap();
        buf[(col as u16, row as u16)].fg
    };
    assert_eq!(find("+  - image: nginx:1.26"), Color::Green);
    assert_eq!(find("-  - image: nginx:1.27"), Color::Red);
    assert!(!text.contains("pod-template-hash"));
}

#[test]
fn restart_only_revision_is_labelled_under_the_diff() {
    let s = history_state();
    let (text, _) = draw(&s, 140, 30);
    assert!(
        text.contains("restart only: same template as the revision before it"),
        "{text}"
    );
}

/// The Deployment shop/web on screen, live, under the cursor.
fn show_web_deployment(s: &mut crate::app::State) {
    let row = crate::app::table::Row {
        key: "u".into(),
        namespace: "shop".into(),
        name: "web".into(),
        ..Default::default()
    };
    let scope = crate::cluster::Scope::Namespace("shop".into());
    test_util::show(
        s,
        Kind::Deployment,
        scope,
        vec![row],
        crate::cluster::watch::WatchStatus::Ready,
    );
}

#[test]
fn scale_dialog_names_object_context_and_warnings() {
    let mut s = connected();
    show_web_deployment(&mut s);
    update(&mut s, key(KeyCode::Char('s')));
    let info = ScaleInfo {
        current: Some(3),
        warnings: vec!["managed by Argo CD: the next sync will revert the change".into()],
    };
    update(
        &mut s,
        Input::ScaleInfo {
            target: web(),
            result: Ok(info),
        },
    );
    let (text, _) = draw(&s, 100, 24);
    for want in [
        "scale deployment.apps/web",
        "Scale deployment web in namespace shop, context prod",
        "Current replicas: 3",
        "⚠ managed by Argo CD",
        "Desired replicas:",
    ] {
        assert!(text.contains(want), "missing {want:?}:\n{text}");
    }
    update(&mut s, key(KeyCode::Char('x')));
    update(&mut s, key(KeyCode::Enter));
    let (text, _) = draw(&s, 100, 24);
    assert!(text.contains("replicas must be a whole number"), "{text}");
}

#[test]
fn panel_shows_the_latest_lines_and_its_state() {
    let mut s = connected();
    s.panel = Some(Panel {
        kind: PanelKind::Rollout,
        target: web(),
        title: "rollout status deployment.apps/web".into(),
        lines: vec![Line {
            key: None,
            text: "Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are available...".into(),
        }],
        done: false,
        failed: false,
        scroll: None,
    });
    let (text, _) = draw(&s, 120, 20);
    assert!(
        text.contains("rollout status deployment.apps/web — … running"),
        "{text}"
    );
    assert!(text.contains("1 of 3 updated replicas are available"), "{text}");
}

#[test]
fn readonly_hides_mutating_keys_from_help() {
    let mut s = State::new(Some("shop".into()), true, crate::config::keymap::default_keymap());
    crate::test_util::open(&mut s, crate::cluster::Kind::Deployment);
    update(&mut s, key(KeyCode::Char('?')));
    let (text, _) = draw(&s, 120, 40);
    assert!(text.contains("rollout history"), "{text}");
    assert!(
        !text.contains("scale") && !text.contains("drain node") && !text.contains("delete"),
        "{text}"
    );
    let mut s = State::new(Some("shop".into()), false, crate::config::keymap::default_keymap());
    crate::test_util::open(&mut s, crate::cluster::Kind::Deployment);
    update(&mut s, key(KeyCode::Char('?')));
    let (text, _) = draw(&s, 120, 40);
    assert!(
        text.contains("scale") && text.contains("rollout restart") && text.contains("delete"),
        "{text}"
    );
}

#[test]
fn rollback_confirmation_shows_the_diff_and_a_protected_context_asks_for_the_name() {
    let mut s = history_state();
    s.safety.protected = true;
    update(&mut s, key(KeyCode::Char('j')));
    update(&mut s, key(KeyCode::Char('j')));
    update(
        &mut s,
        Input::DryRun {
            target: web(),
            revision: 1,
            result: Ok(Success::changed("deployment.apps/web rolled back (server dry run)")),
        },
    );
    let (text, buf) = draw(&s, 120, 40);
    for want in [
        "confirm: roll back to revision 1",
        "Roll back to revision 1: deployment web in namespace shop, context prod?",
        "Server-side dry run passed",
        "Context prod is protected: type web and press enter",
        "Name:",
    ] {
        assert!(text.contains(want), "missing {want:?}:\n{text}");
    }
    let row = text
        .lines()
        .position(|l| l.contains("│+  - image: nginx:1.26"))
        .expect("diff in the dialog");
    let col = text.lines().nth(row).unwrap().chars().position(|c| c == '+').unwrap();
    assert_eq!(buf[(col as u16, row as u16)].fg, Color::Green);
}

/// The dialog's rows between its borders, without the borders, joined with spaces.
fn dialog_text(text: &str) -> String {
    text.lines()
        .filter_map(|l| l.split('│').nth(2))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_long_warning_in_the_confirm_dialog_is_wrapped_whole() {
    let mut s = connected();
    show_web_deployment(&mut s);
    update(&mut s, key(KeyCode::Char('s')));
    let hpa = "HorizontalPodAutoscaler web-frontend-autoscaler manages this Deployment (min 3, \
               max 12): it sets the replica count back within 15 seconds";
    let info = ScaleInfo {
        current: Some(3),
        warnings: vec![hpa.into()],
    };
    let target = web();
    update(
        &mut s,
        Input::ScaleInfo {
            target,
            result: Ok(info),
        },
    );
    test_util::type_keys(&mut s, "5");
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.dialog, Some(crate::app::dialog::Dialog::Confirm(_))));
    for width in [80, 60] {
        let (text, _) = draw(&s, width, 24);
        let whole = dialog_text(&text);
        assert!(whole.contains(&format!("Warning: {hpa}")), "{width}:\n{text}");
        assert!(whole.contains("y / enter: do it"), "{width}:\n{text}");
    }
}

#[test]
fn the_drain_panel_scrolls_back_and_keeps_the_table_still() {
    let mut s = connected();
    let rows = (0..30)
        .map(|i| crate::app::table::Row {
            key: format!("n{i}"),
            name: format!("node-{i}").into(),
            ..Default::default()
        })
        .collect();
    test_util::show(
        &mut s,
        Kind::Node,
        crate::cluster::Scope::All,
        rows,
        crate::cluster::watch::WatchStatus::Ready,
    );
    s.panel = Some(Panel {
        kind: PanelKind::Drain,
        target: ObjRef::new(Kind::Node, "", "node-0"),
        title: "drain node/node-0".into(),
        lines: (1..=20)
            .map(|i| Line {
                key: None,
                text: format!("evicting pod shop/web-{i}"),
            })
            .collect(),
        done: false,
        failed: false,
        scroll: None,
    });
    let (text, _) = draw(&s, 100, 30);
    assert!(text.contains("web-20") && !text.contains("web-12 "), "{text}");
    assert!(
        text.contains("lines 13–20 of 20 (newest), j k scroll, esc closes"),
        "{text}"
    );
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Char('k')));
    }
    assert_eq!(s.top().table.cursor, 0, "the table behind did not move");
    let (text, _) = draw(&s, 100, 30);
    assert!(text.contains("web-10") && !text.contains("web-18"), "{text}");
    assert!(text.contains("lines 10–17 of 20,"), "{text}");
    update(&mut s, key(KeyCode::Char('g')));
    assert!(draw(&s, 100, 30).0.contains("web-1 "));
    update(&mut s, key(KeyCode::Char('G')));
    assert_eq!(
        s.panel.as_ref().unwrap().scroll,
        None,
        "back at the newest: following again"
    );
    update(&mut s, key(KeyCode::Char('j')));
    assert_eq!(s.top().table.cursor, 0);
}
