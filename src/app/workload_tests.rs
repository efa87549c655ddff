//! Key-flow tests of the workload actions: dialogs, confirmations, read-only and protected contexts.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::dialog::{Dialog, HistoryBody};
use super::effect::Effect;
use super::event::Input;
use super::state::{State, ViewKind};
use super::table::Row;
use super::update::{key, update};
use crate::cluster::ops::history::{self, History};
use crate::cluster::ops::precheck::ScaleInfo;
use crate::cluster::ops::status::Reading;
use crate::cluster::ops::{ObjRef, Op, Propagation, Success};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::test_util;

fn on(kind: Kind, names: &[&str], readonly: bool) -> State {
    let mut s = test_util::connected("prod", "shop", readonly);
    let ns = if kind.namespaced() { "shop" } else { "" };
    let rows = names
        .iter()
        .map(|n| Row {
            key: n.to_string(),
            namespace: ns.into(),
            name: n.to_string().into(),
            ..Default::default()
        })
        .collect();
    let scope = if kind.namespaced() {
        Scope::Namespace("shop".into())
    } else {
        Scope::All
    };
    test_util::show(&mut s, kind, scope, rows, WatchStatus::Ready);
    s
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(s, key(KeyCode::Char(c)))).collect()
}

fn web() -> ObjRef {
    ObjRef::new(Kind::Deployment, "shop", "web")
}

#[test]
fn scale_dialog_accepts_only_a_whole_number_then_confirms() {
    let mut s = on(Kind::Deployment, &["web"], false);
    assert_eq!(typed(&mut s, "s"), [Effect::ScaleInfo(web())]);
    let info = ScaleInfo {
        current: Some(3),
        warnings: vec!["HorizontalPodAutoscaler web manages this Deployment".into()],
    };
    update(
        &mut s,
        Input::ScaleInfo {
            target: web(),
            result: Ok(info),
        },
    );
    let Some(Dialog::Scale(d)) = &s.dialog else {
        panic!("no scale dialog")
    };
    assert_eq!(d.input.lines(), ["3"], "prefilled with the current count");
    // Replace with garbage: refused with a message, nothing sent, dialog stays.
    update(&mut s, key(KeyCode::Backspace));
    typed(&mut s, "-2");
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    let Some(Dialog::Scale(d)) = &s.dialog else {
        panic!("dialog closed")
    };
    assert!(d.error.as_deref().unwrap().contains("whole number"), "{:?}", d.error);
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Backspace));
    // Digits, but past spec.replicas' int32: said to be too large, not "not a number".
    typed(&mut s, "99999999999");
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    let Some(Dialog::Scale(d)) = &s.dialog else {
        panic!("dialog closed")
    };
    assert_eq!(
        d.error.as_deref(),
        Some("replicas 99999999999 is too large: at most 2147483647")
    );
    for _ in 0..11 {
        update(&mut s, key(KeyCode::Backspace));
    }
    typed(&mut s, "2147483648");
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&s.dialog, Some(Dialog::Scale(d)) if d.error.as_deref().unwrap().contains("too large")));
    for _ in 0..10 {
        update(&mut s, key(KeyCode::Backspace));
    }
    typed(&mut s, "5");
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "Enter moves to the confirmation"
    );
    let Some(Dialog::Confirm(c)) = &s.dialog else {
        panic!("no confirmation")
    };
    assert_eq!(c.op, Op::Scale(5));
    assert!(c.lines[0].contains("web") && c.lines[0].contains("namespace shop") && c.lines[0].contains("context prod"));
    assert!(c.lines.iter().any(|l| l == "Replicas: 3 → 5"));
    assert!(
        c.lines
            .iter()
            .any(|l| l.starts_with("Warning: HorizontalPodAutoscaler"))
    );
    assert_eq!(
        update(&mut s, key(KeyCode::Char('y'))),
        [Effect::Mutate {
            target: web(),
            op: Op::Scale(5)
        }]
    );
    assert!(s.dialog.is_none());
    update(
        &mut s,
        Input::Done {
            target: web(),
            op: Op::Scale(5),
            result: Err("Error from server (Forbidden): deployments.apps \"web\" is forbidden".into()),
        },
    );
    let t = s.toasts.last().unwrap();
    assert!(t.error && t.text.starts_with("Error from server (Forbidden)"));
}

#[test]
fn esc_cancels_and_wrong_kinds_are_refused_with_a_reason() {
    let mut s = on(Kind::Deployment, &["web"], false);
    typed(&mut s, "r");
    assert!(matches!(s.dialog, Some(Dialog::Confirm(_))));
    assert!(update(&mut s, key(KeyCode::Esc)).is_empty());
    assert!(s.dialog.is_none());
    let mut pods = on(Kind::Pod, &["web-1"], false);
    assert!(typed(&mut pods, "r").is_empty());
    assert!(pods.dialog.is_none());
    assert!(pods.toasts.last().unwrap().text.contains("not pods"));
}

#[test]
fn delete_is_two_steps_with_cascade_and_grace() {
    let mut s = on(Kind::Deployment, &["web"], false);
    typed(&mut s, "D");
    update(&mut s, key(KeyCode::Tab));
    typed(&mut s, "x");
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    let Some(Dialog::Delete(d)) = &s.dialog else {
        panic!("grace error keeps the dialog")
    };
    assert!(d.error.is_some());
    update(&mut s, key(KeyCode::Backspace));
    typed(&mut s, "30");
    update(&mut s, key(KeyCode::Enter));
    let op = Op::Delete {
        propagation: Propagation::Foreground,
        grace: Some(30),
    };
    assert!(matches!(&s.dialog, Some(Dialog::Confirm(c)) if c.op == op));
    assert_eq!(
        update(&mut s, key(KeyCode::Enter)),
        [Effect::Mutate { target: web(), op }]
    );
}

#[test]
fn protected_context_needs_the_name_typed_for_destructive_actions() {
    let mut s = on(Kind::Deployment, &["web"], false);
    s.safety.protected = true;
    typed(&mut s, "D");
    update(&mut s, key(KeyCode::Enter));
    assert!(
        update(&mut s, key(KeyCode::Char('y'))).is_empty(),
        "y is just a letter of the name"
    );
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "wrong name: nothing sent"
    );
    let Some(Dialog::Confirm(c)) = &s.dialog else {
        panic!("confirmation closed")
    };
    assert!(c.error.as_deref().unwrap().contains("type web"));
    update(&mut s, key(KeyCode::Backspace));
    typed(&mut s, "web");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Mutate {
            op: Op::Delete { .. },
            ..
        }]
    ));
    // Restart is not destructive: a plain yes is enough even here.
    typed(&mut s, "r");
    assert!(matches!(&s.dialog, Some(Dialog::Confirm(c)) if c.typed.is_none()));
}

#[test]
fn readonly_sends_no_write_whatever_is_typed() {
    for kind in [Kind::Deployment, Kind::Node, Kind::StatefulSet] {
        let mut s = on(kind, &["web", "worker-1"], true);
        let mut effects = Vec::new();
        for k in "srpPhRDcuXy".chars() {
            effects.extend(update(&mut s, key(KeyCode::Char(k))));
            effects.extend(update(&mut s, key(KeyCode::Enter)));
            effects.extend(typed(&mut s, "web"));
            effects.extend(update(&mut s, key(KeyCode::Enter)));
            effects.extend(update(&mut s, key(KeyCode::Esc)));
        }
        assert!(!effects.iter().any(Effect::writes), "{kind:?}: {effects:?}");
        assert!(s.toasts.iter().any(|t| t.text.starts_with("read-only session")));
    }
    // Even a dialog that was open before becomes harmless.
    let mut s = on(Kind::Deployment, &["web"], false);
    typed(&mut s, "r");
    s.safety.readonly = true;
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
}

#[test]
fn s_is_shell_on_pods_and_scale_on_workloads_and_readonly_refuses_the_shell() {
    let mut s = on(Kind::Pod, &["web-1"], false);
    let pod = ObjRef::new(Kind::Pod, "shop", "web-1");
    let shell = Effect::Containers {
        pod: pod.clone(),
        purpose: super::debugging::Purpose::Shell,
        preselect: None,
    };
    assert_eq!(typed(&mut s, "s"), std::slice::from_ref(&shell));
    let mut s = on(Kind::Deployment, &["web"], false);
    assert_eq!(typed(&mut s, "s"), [Effect::ScaleInfo(web())]);
    let mut s = on(Kind::Pod, &["web-1"], true);
    assert!(typed(&mut s, "s").is_empty());
    assert!(
        s.toasts.iter().any(|t| t.text.starts_with("read-only session")),
        "{:?}",
        s.toasts
    );
    // The vim keymap keeps `s` for its sort sequences and binds the shell to `g x`.
    let mut s = on(Kind::Pod, &["web-1"], false);
    s.keymap = crate::config::keymap::builtin("vim").unwrap();
    assert_eq!(typed(&mut s, "gx"), [shell]);
}

fn history_of_web() -> History {
    let t = |image: &str| json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}});
    let rs = |name: &str, rev: &str, image: &str| {
        json!({"metadata": {"name": name, "annotations": {history::REVISION: rev}, "ownerReferences": [{"uid": "u", "controller": true}]},
            "spec": {"replicas": 1, "template": t(image)}})
    };
    let owner =
        json!({"metadata": {"uid": "u", "annotations": {history::REVISION: "2"}}, "spec": {"template": t("nginx:2")}});
    history::from_objects(
        &web(),
        &owner,
        &[rs("web-a", "1", "nginx:1"), rs("web-b", "2", "nginx:2")],
    )
}

#[test]
fn history_then_rollback_runs_a_dry_run_then_confirms_with_the_diff() {
    let mut s = on(Kind::Deployment, &["web"], false);
    assert_eq!(typed(&mut s, "h"), [Effect::LoadHistory(web())]);
    update(
        &mut s,
        Input::History {
            target: web(),
            result: Ok(history_of_web()),
        },
    );
    let ViewKind::History(h) = &s.top().kind else {
        panic!("no history view")
    };
    assert!(matches!(h.body, HistoryBody::Ready(_)));
    typed(&mut s, "j");
    assert_eq!(
        typed(&mut s, "R"),
        [Effect::DryRunRollback {
            target: web(),
            revision: 1
        }]
    );
    update(
        &mut s,
        Input::DryRun {
            target: web(),
            revision: 1,
            result: Ok(Success::changed("deployment.apps/web rolled back (server dry run)")),
        },
    );
    let Some(Dialog::Confirm(c)) = &s.dialog else {
        panic!("no confirmation")
    };
    assert_eq!(c.op, Op::Rollback(1));
    assert!(c.diff.contains(&history::DiffLine::Added("  - image: nginx:1".into())));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        effects,
        [Effect::Mutate {
            target: web(),
            op: Op::Rollback(1)
        }]
    );
    // Success: a rollout status panel, and the history reloads.
    let effects = update(
        &mut s,
        Input::Done {
            target: web(),
            op: Op::Rollback(1),
            result: Ok(Success::changed("deployment.apps/web rolled back")),
        },
    );
    assert_eq!(effects, [Effect::FollowRollout(web()), Effect::LoadHistory(web())]);
    let reading = Reading {
        text: "deployment \"web\" successfully rolled out".into(),
        done: true,
        failed: false,
    };
    update(&mut s, Input::Rollout { target: web(), reading });
    let p = s.panel.as_ref().unwrap();
    assert!(p.done && p.lines[0].text.contains("successfully rolled out"));
    // Esc closes the panel first, then leaves the history.
    update(&mut s, key(KeyCode::Esc));
    assert!(s.panel.is_none());
    assert!(matches!(s.top().kind, ViewKind::History(_)));
    // A skipped dry run is a toast, no confirmation.
    update(
        &mut s,
        Input::DryRun {
            target: web(),
            revision: 2,
            result: Ok(Success::unchanged(
                "deployment.apps/web skipped rollback (current template already matches revision 2)",
            )),
        },
    );
    assert!(s.dialog.is_none());
    assert!(s.toasts.last().unwrap().text.contains("skipped rollback"));
    // A rollback that changed nothing follows no rollout; only the history reloads.
    let effects = update(
        &mut s,
        Input::Done {
            target: web(),
            op: Op::Rollback(2),
            result: Ok(Success::unchanged("deployment.apps/web unchanged")),
        },
    );
    assert_eq!(effects, [Effect::LoadHistory(web())]);
    assert!(s.panel.is_none());
    assert_eq!(s.toasts.last().unwrap().text, "deployment.apps/web unchanged");
}

#[test]
fn drain_opens_a_progress_panel_with_countdown_lines_replaced() {
    let mut s = on(Kind::Node, &["worker-1"], false);
    typed(&mut s, "X");
    let node = ObjRef::new(Kind::Node, "", "worker-1");
    assert_eq!(
        update(&mut s, key(KeyCode::Enter)),
        [Effect::Mutate {
            target: node.clone(),
            op: Op::Drain
        }]
    );
    use crate::cluster::ops::drain::Line;
    for text in ["retry after 2s", "retry after 1s", "pod/a evicted"] {
        let line = Line {
            key: Some("shop/a".into()),
            text: text.into(),
        };
        update(
            &mut s,
            Input::Progress {
                target: node.clone(),
                line,
            },
        );
    }
    let p = s.panel.as_ref().unwrap();
    assert_eq!(p.lines.len(), 1);
    assert_eq!(p.lines[0].text, "pod/a evicted");
    update(
        &mut s,
        Input::Done {
            target: node,
            op: Op::Drain,
            result: Ok(Success::changed("node/worker-1 drained")),
        },
    );
    let p = s.panel.as_ref().unwrap();
    assert!(p.done && !p.failed && p.lines.last().unwrap().text == "node/worker-1 drained");
}

#[test]
fn ctrl_d_is_not_delete() {
    let mut s = on(Kind::Deployment, &["web"], false);
    update(
        &mut s,
        Input::Key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)),
    );
    assert!(s.dialog.is_none());
}

#[test]
fn delete_works_from_describe_and_yaml_with_the_usual_confirmation() {
    for (open, scope_key) in [("d", "describe"), ("y", "yaml")] {
        let mut s = on(Kind::Deployment, &["web"], false);
        typed(&mut s, open);
        assert!(
            matches!(s.top().kind, ViewKind::Doc(_)),
            "{scope_key}: a document is open"
        );
        assert!(
            typed(&mut s, "D").is_empty(),
            "{scope_key}: nothing sent before confirming"
        );
        assert!(
            matches!(&s.dialog, Some(Dialog::Delete(d)) if d.target == web()),
            "{scope_key}: the delete dialog aims at the document's object"
        );
        update(&mut s, key(KeyCode::Enter));
        assert!(matches!(&s.dialog, Some(Dialog::Confirm(_))), "{scope_key}: asks first");
        let effects = update(&mut s, key(KeyCode::Char('y')));
        assert!(
            matches!(effects.as_slice(), [Effect::Mutate { target, op: Op::Delete { .. } }] if *target == web()),
            "{scope_key}: {effects:?}"
        );
    }
    let mut s = on(Kind::Deployment, &["web"], true);
    typed(&mut s, "d");
    assert!(typed(&mut s, "D").is_empty());
    assert!(s.dialog.is_none());
    assert!(s.toasts.last().unwrap().text.contains("delete is disabled"));
}

#[test]
fn closing_a_running_rollout_panel_stops_its_follow_and_a_drain_panel_takes_no_rollout_lines() {
    let mut s = on(Kind::Node, &["worker-1"], false);
    typed(&mut s, "X");
    update(&mut s, key(KeyCode::Enter));
    let node = ObjRef::new(Kind::Node, "", "worker-1");
    let reading = Reading {
        text: "not a drain line".into(),
        done: true,
        failed: false,
    };
    update(&mut s, Input::Rollout { target: node, reading });
    assert!(s.panel.as_ref().unwrap().lines.is_empty());
    // The drain goes on when its panel closes: nothing to stop.
    assert_eq!(update(&mut s, key(KeyCode::Esc)), []);
    assert!(s.panel.is_none());
    let effects = update(
        &mut s,
        Input::Done {
            target: web(),
            op: Op::Restart,
            result: Ok(Success::changed("deployment.apps/web restarted")),
        },
    );
    assert_eq!(effects, [Effect::FollowRollout(web())]);
    assert_eq!(update(&mut s, key(KeyCode::Esc)), [Effect::StopFollow]);
}
