//! Key-flow tests of the editor on the pure update: open, type, invalid YAML, dry run and diff,
//! confirm, 409, discard, read-only and protected contexts.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use super::{Refusal, Reply, Request, Stage};
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::state::{State, ViewKind};
use crate::app::table::Row;
use crate::app::update::{key, update};
use crate::cluster::ops::ObjRef;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::test_util;

fn web() -> ObjRef {
    ObjRef::new(Kind::Deployment, "shop", "web")
}

fn live() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "resourceVersion": "7",
            "managedFields": [{"manager": "kube-controller-manager"}]},
        "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1"}]}}},
        "status": {"replicas": 2}})
}

fn on_deployments(readonly: bool) -> State {
    let mut s = test_util::connected("prod", "shop", readonly);
    let row = Row {
        key: "web".into(),
        namespace: "shop".into(),
        name: "web".into(),
        ..Default::default()
    };
    let scope = Scope::Namespace("shop".into());
    test_util::show(&mut s, Kind::Deployment, scope, vec![row], WatchStatus::Ready);
    s
}

fn ctrl(c: char) -> Input {
    Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(s, key(KeyCode::Char(c)))).collect()
}

fn editor(s: &State) -> &super::Editor {
    match &s.top().kind {
        ViewKind::Editor(e) => e,
        other => panic!("not in the editor: {other:?}"),
    }
}

fn reply(s: &mut State, r: Reply) -> Vec<Effect> {
    update(s, Input::Edit(Box::new(r)))
}

/// `e` on the row, and the object arrives.
fn opened(readonly: bool) -> State {
    let mut s = on_deployments(readonly);
    let effects = typed(&mut s, "e");
    assert_eq!(
        effects,
        [Effect::Edit(Request::Fetch {
            target: web(),
            context: "prod".into()
        })]
    );
    reply(
        &mut s,
        Reply::Fetched {
            target: web(),
            result: Ok(live()),
            recovered: None,
        },
    );
    s
}

/// Move to the line holding `needle` and replace it with `with`.
fn replace_line(s: &mut State, needle: &str, with: &str) {
    let row = editor(s).area.lines().iter().position(|l| l.contains(needle)).unwrap();
    if let ViewKind::Editor(e) = &mut s.top_mut().kind {
        e.area.move_cursor(ratatui_textarea::CursorMove::Jump(row as u16, 0));
        e.area.move_cursor(ratatui_textarea::CursorMove::End);
    }
    let len = editor(s).area.lines()[row].chars().count();
    for _ in 0..len {
        update(s, key(KeyCode::Backspace));
    }
    typed(s, with);
}

fn dry_run_sent(effects: &[Effect]) -> Value {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Edit(Request::DryRun { object, .. }) => Some(object.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no dry run in {effects:?}"))
}

#[test]
fn e_opens_the_object_without_managed_fields_and_global_keys_type_themselves() {
    let mut s = opened(false);
    let ed = editor(&s);
    assert!(matches!(ed.stage, Stage::Editing));
    assert!(!ed.text().contains("managedFields"), "{}", ed.text());
    assert!(ed.text().contains("image: nginx:1"));
    assert!(!ed.modified());
    // q, : and ? are text here: no quit, no command line, no help.
    let effects = typed(&mut s, "q:?");
    assert!(effects.iter().all(|e| !matches!(e, Effect::Quit)), "{effects:?}");
    assert!(!s.quit && !s.help);
    assert_eq!(editor(&s).area.lines()[0], "q:?apiVersion: apps/v1");
    assert!(editor(&s).modified());
    // ctrl-u is the widget's undo (bound to undo in the editor scope too).
    update(&mut s, ctrl('u'));
    assert_eq!(editor(&s).area.lines()[0], "q:apiVersion: apps/v1");
}

#[test]
fn invalid_yaml_keeps_the_text_and_puts_the_cursor_on_the_error() {
    let mut s = opened(false);
    replace_line(&mut s, "replicas: 2", "  replicas: [2");
    let before = editor(&s).text();
    let effects = update(&mut s, ctrl('s'));
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::Edit(Request::DryRun { .. }))),
        "{effects:?}"
    );
    let ed = editor(&s);
    assert_eq!(ed.text(), before, "the text is kept");
    let (msg, error) = ed.message.clone().unwrap();
    assert!(error && msg.starts_with("line "), "{msg}");
    let line: usize = msg["line ".len()..].split(',').next().unwrap().parse().unwrap();
    assert_eq!(ed.area.cursor().0 + 1, line, "{msg}");
    assert!(matches!(ed.stage, Stage::Editing));
}

#[test]
fn a_changed_name_is_refused_in_words() {
    let mut s = opened(false);
    replace_line(&mut s, "name: web", "  name: api");
    update(&mut s, ctrl('s'));
    let (msg, _) = editor(&s).message.clone().unwrap();
    assert!(msg.contains("metadata.name may not change"), "{msg}");
}

fn saved_with_image(image: &str) -> (State, Vec<Effect>) {
    let mut s = opened(false);
    replace_line(&mut s, "image: nginx:1", &format!("      - image: {image}"));
    let effects = update(&mut s, ctrl('s'));
    (s, effects)
}

#[test]
fn a_save_is_dry_run_then_diffed_then_applied_only_on_yes() {
    let (mut s, effects) = saved_with_image("nginx:2");
    let sent = dry_run_sent(&effects);
    assert_eq!(sent["metadata"]["resourceVersion"], json!("7"), "the fetched version");
    assert_eq!(sent["status"], json!({"replicas": 2}), "the live status is carried");
    assert!(sent["metadata"].get("managedFields").is_none());
    let mut stored = live();
    stored["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    reply(
        &mut s,
        Reply::DryRun {
            target: web(),
            result: Ok(stored.clone()),
        },
    );
    let Stage::Review(r) = &editor(&s).stage else {
        panic!("no review")
    };
    let diff: Vec<String> = r.diff.iter().map(|l| format!("{l:?}")).collect();
    assert!(
        diff.iter().any(|l| l.contains("Removed") && l.contains("nginx:1")),
        "{diff:?}"
    );
    assert!(
        diff.iter().any(|l| l.contains("Added") && l.contains("nginx:2")),
        "{diff:?}"
    );
    // No: back to the text, nothing sent.
    assert!(typed(&mut s, "n").is_empty());
    assert!(matches!(editor(&s).stage, Stage::Editing));
    // Again, and yes.
    let effects = update(&mut s, ctrl('s'));
    reply(
        &mut s,
        Reply::DryRun {
            target: web(),
            result: Ok(stored.clone()),
        },
    );
    let effects2 = typed(&mut s, "y");
    assert_eq!(
        effects2,
        [Effect::Edit(Request::Apply {
            target: web(),
            object: dry_run_sent(&effects)
        })]
    );
    let effects = reply(
        &mut s,
        Reply::Applied {
            target: web(),
            result: Ok(stored),
        },
    );
    assert!(effects.contains(&Effect::Edit(Request::Forget {
        target: web(),
        context: "prod".into()
    })));
    assert!(matches!(s.top().kind, ViewKind::Resource(Kind::Deployment)), "closed");
    assert_eq!(s.toasts.last().unwrap().text, "deployment.apps/web edited");
}

#[test]
fn a_refusal_is_said_with_its_fields_and_the_text_stays() {
    let (mut s, _) = saved_with_image("nginx:2");
    let text = editor(&s).text();
    reply(
        &mut s,
        Reply::DryRun {
            target: web(),
            result: Err(Refusal {
                text: "Error from server (Invalid): Deployment.apps \"web\" is invalid\n  spec.replicas: Invalid value: -1".into(),
                conflict: None,
                fields: Vec::new(),
            }),
        },
    );
    let ed = editor(&s);
    assert!(matches!(ed.stage, Stage::Editing));
    assert_eq!(ed.text(), text);
    assert!(ed.message.as_ref().unwrap().0.contains("spec.replicas"));
}

#[test]
fn a_conflict_shows_the_servers_change_and_reapplies_the_edit_on_it() {
    let (mut s, effects) = saved_with_image("nginx:2");
    let send = dry_run_sent(&effects);
    let mut stored = send.clone();
    stored["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    reply(
        &mut s,
        Reply::DryRun {
            target: web(),
            result: Ok(stored),
        },
    );
    typed(&mut s, "y");
    let mut fresh = live();
    fresh["metadata"]["resourceVersion"] = json!("9");
    fresh["spec"]["replicas"] = json!(5);
    reply(
        &mut s,
        Reply::Applied {
            target: web(),
            result: Err(Refusal {
                text: "Error from server (Conflict): Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again".into(),
                conflict: Some(Ok(fresh)),
                fields: Vec::new(),
            }),
        },
    );
    let Stage::Conflict(c) = &editor(&s).stage else {
        panic!("no conflict")
    };
    let diff: Vec<String> = c.diff.iter().map(|l| format!("{l:?}")).collect();
    assert!(
        diff.iter().any(|l| l.contains("Added") && l.contains("replicas: 5")),
        "{diff:?}"
    );
    // r: the edit lands on the fresh object, which the next save is checked against.
    assert!(typed(&mut s, "r").is_empty(), "nothing is sent before the next save");
    let ed = editor(&s);
    assert!(matches!(ed.stage, Stage::Editing));
    assert!(
        ed.text().contains("nginx:2") && ed.text().contains("replicas: 5"),
        "{}",
        ed.text()
    );
    let effects = update(&mut s, ctrl('s'));
    assert_eq!(dry_run_sent(&effects)["metadata"]["resourceVersion"], json!("9"));
}

#[test]
fn closing_a_changed_text_asks_and_discarding_forgets_the_recovery_file() {
    let mut s = opened(false);
    let effects = typed(&mut s, "x");
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Edit(Request::Keep { .. }))),
        "the first change is kept on disk: {effects:?}"
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(matches!(editor(&s).stage, Stage::Closing));
    update(&mut s, key(KeyCode::Char('n')));
    assert!(matches!(editor(&s).stage, Stage::Editing), "no keeps the text");
    update(&mut s, key(KeyCode::Esc));
    let effects = typed(&mut s, "y");
    assert!(effects.contains(&Effect::Edit(Request::Forget {
        target: web(),
        context: "prod".into()
    })));
    assert!(matches!(s.top().kind, ViewKind::Resource(_)));
}

#[test]
fn a_kept_edit_is_offered_again() {
    let mut s = on_deployments(false);
    typed(&mut s, "e");
    reply(
        &mut s,
        Reply::Fetched {
            target: web(),
            result: Ok(live()),
            recovered: Some("kind: Deployment # mine\n".into()),
        },
    );
    assert!(matches!(editor(&s).stage, Stage::Recovered(_)));
    typed(&mut s, "y");
    assert_eq!(editor(&s).text(), "kind: Deployment # mine\n");
    assert!(editor(&s).modified());
}

#[test]
fn read_only_refuses_e_and_protected_asks_for_the_name() {
    let mut s = on_deployments(true);
    assert!(typed(&mut s, "e").is_empty());
    assert!(matches!(s.top().kind, ViewKind::Resource(_)));
    let mut s = opened(false);
    s.safety.protected = true;
    replace_line(&mut s, "image: nginx:1", "      - image: nginx:2");
    update(&mut s, ctrl('s'));
    reply(
        &mut s,
        Reply::DryRun {
            target: web(),
            result: Ok(json!({"spec": {"replicas": 1}})),
        },
    );
    assert!(typed(&mut s, "y").is_empty(), "y is typed into the name");
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "a wrong name is refused"
    );
    for _ in 0..1 {
        update(&mut s, key(KeyCode::Backspace));
    }
    typed(&mut s, "web");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(effects.as_slice(), [Effect::Edit(Request::Apply { .. })]),
        "{effects:?}"
    );
}

#[test]
fn capital_e_hands_the_text_to_the_outside_editor_then_saves_as_the_editor_does() {
    let mut s = on_deployments(false);
    assert!(matches!(
        typed(&mut s, "E").as_slice(),
        [Effect::Edit(Request::Fetch { .. })]
    ));
    let effects = reply(
        &mut s,
        Reply::Fetched {
            target: web(),
            result: Ok(live()),
            recovered: None,
        },
    );
    assert!(
        matches!(effects.as_slice(), [Effect::HandOverTerminal(_)]),
        "{effects:?}"
    );
    let text = editor(&s).text().replace("nginx:1", "nginx:2");
    let effects = reply(&mut s, Reply::External { target: web(), text });
    let sent = dry_run_sent(&effects);
    assert_eq!(
        sent["spec"]["template"]["spec"]["containers"][0]["image"],
        json!("nginx:2")
    );
    assert!(matches!(editor(&s).stage, Stage::Checking(_)));
    // Unchanged: kubectl's words, and the editor goes.
    let mut s = on_deployments(false);
    typed(&mut s, "E");
    reply(
        &mut s,
        Reply::Fetched {
            target: web(),
            result: Ok(live()),
            recovered: None,
        },
    );
    let text = editor(&s).text();
    reply(&mut s, Reply::External { target: web(), text });
    assert!(matches!(s.top().kind, ViewKind::Resource(_)));
    assert_eq!(s.toasts.last().unwrap().text, "Edit cancelled, no changes made.");
}

#[test]
fn only_a_status_change_on_the_server_is_checked_again_not_called_a_conflict() {
    let (mut s, _) = saved_with_image("nginx:2");
    let mut fresh = live();
    fresh["metadata"]["resourceVersion"] = json!("8");
    fresh["status"] = json!({"replicas": 1, "readyReplicas": 1});
    let effects = reply(
        &mut s,
        Reply::DryRun {
            target: web(),
            result: Err(Refusal {
                text: "Error from server (Conflict): …".into(),
                conflict: Some(Ok(fresh)),
                fields: Vec::new(),
            }),
        },
    );
    let sent = dry_run_sent(&effects);
    assert_eq!(sent["metadata"]["resourceVersion"], json!("8"));
    assert_eq!(sent["status"]["readyReplicas"], json!(1), "the fresh status is carried");
    assert!(matches!(editor(&s).stage, Stage::Checking(_)));
}

#[test]
fn e_in_a_yaml_view_edits_that_object() {
    let mut s = on_deployments(false);
    typed(&mut s, "y");
    let effects = typed(&mut s, "e");
    assert!(
        effects.contains(&Effect::Edit(Request::Fetch {
            target: web(),
            context: "prod".into()
        })),
        "{effects:?}"
    );
}

#[test]
fn a_secret_is_edited_decoded_never_kept_on_disk_and_masked_in_the_diff() {
    let secret_kind = Kind::from_resource(&model::Resource {
        version: "v1".into(),
        kind: "Secret".into(),
        plural: "secrets".into(),
        singular: "secret".into(),
        namespaced: true,
        ..Default::default()
    });
    let db = ObjRef::new(secret_kind, "shop", "db");
    let mut s = test_util::connected("prod", "shop", false);
    crate::app::edit::flow::open(&mut s, Some(db.clone()), false);
    let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop", "resourceVersion": "3"},
        "data": {"password": "aHVudGVyMg=="}});
    reply(
        &mut s,
        Reply::Fetched {
            target: db.clone(),
            result: Ok(live.clone()),
            recovered: Some("stale: text\n".into()),
        },
    );
    assert!(
        matches!(editor(&s).stage, Stage::Editing),
        "no recovery offered for a Secret"
    );
    assert!(editor(&s).text().contains("password: hunter2"), "{}", editor(&s).text());
    replace_line(&mut s, "password:", "  password: s3cret");
    let effects = update(&mut s, ctrl('s'));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Edit(Request::Keep { .. }))),
        "a Secret's text never goes to disk: {effects:?}"
    );
    let sent = dry_run_sent(&effects);
    assert_eq!(sent["data"], json!({"password": "czNjcmV0"}));
    assert!(sent.get("stringData").is_none());
    reply(
        &mut s,
        Reply::DryRun {
            target: db,
            result: Ok(sent),
        },
    );
    let shown = |s: &State| match &editor(s).stage {
        Stage::Review(r) => format!("{:?}", r.diff),
        other => panic!("{other:?}"),
    };
    let masked = shown(&s);
    assert!(
        !masked.contains("hunter2") && !masked.contains("s3cret") && !masked.contains("czNjcmV0"),
        "{masked}"
    );
    assert!(masked.contains("(changed)"), "{masked}");
    typed(&mut s, "x");
    assert!(shown(&s).contains("s3cret"), "x reveals: {}", shown(&s));
}

#[test]
fn search_finds_text_as_typed_and_f3_goes_on() {
    let mut s = opened(false);
    update(&mut s, ctrl('g'));
    assert!(editor(&s).search.is_some());
    typed(&mut s, "nginx:1");
    assert_eq!(editor(&s).area.cursor().0, 0, "nothing moves while typing");
    update(&mut s, key(KeyCode::Enter));
    let ed = editor(&s);
    assert!(ed.search.is_none());
    let row = ed.area.cursor().0;
    assert!(ed.area.lines()[row].contains("nginx:1"), "{:?}", ed.area.lines()[row]);
    // A dot is a dot, not any character: "nginx.1" is not there.
    update(&mut s, ctrl('g'));
    for _ in 0.."nginx:1".len() {
        update(&mut s, key(KeyCode::Backspace));
    }
    typed(&mut s, "nginx.1");
    update(&mut s, key(KeyCode::Enter));
    assert!(
        editor(&s).message.as_ref().unwrap().0.contains("no match"),
        "{:?}",
        editor(&s).message
    );
    assert!(!editor(&s).modified(), "searching types nothing into the text");
}
