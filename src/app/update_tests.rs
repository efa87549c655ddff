//! Key-flow tests of `update`, without a terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::effect::Effect;
use super::event::Input;
use super::state::{Mode, State, ViewKind};
use super::table::Row;
use super::update::{key, update};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

fn pod(name: &str, ns: &str, labels: &[(&str, &str)], node: &str) -> Row {
    Row {
        key: format!("{ns}/{name}"),
        namespace: ns.into(),
        name: name.into(),
        labels: labels.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
        node: Some(node.into()),
        ..Default::default()
    }
}

fn feed(state: &mut State, kind: Kind, scope: Scope, rows: Vec<Row>) {
    update(
        state,
        Input::Rows {
            watch: (kind, scope),
            rows: Some(rows.into_iter().map(std::sync::Arc::new).collect()),
            status: WatchStatus::Ready,
        },
    );
}

fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    let mut out = vec![];
    for c in text.chars() {
        out.extend(update(state, key(KeyCode::Char(c))));
    }
    out
}

fn shown(state: &State) -> Vec<String> {
    let t = &state.top().table;
    t.visible.iter().map(|&i| t.rows[i].name.to_string()).collect()
}

fn pods_state() -> State {
    let mut s = State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    let rows = vec![
        pod("web-1", "default", &[("app", "web")], "n1"),
        pod("web-2", "default", &[("app", "web")], "n2"),
        pod("db-0", "default", &[("app", "db")], "n1"),
    ];
    feed(&mut s, Kind::Pod, Scope::Namespace("default".into()), rows);
    s
}

#[test]
fn j_k_g_move_the_cursor_and_it_survives_new_rows() {
    let mut s = pods_state();
    assert_eq!(s.top().table.current().unwrap().name, "db-0");
    update(&mut s, key(KeyCode::Char('j')));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.top().table.current().unwrap().name, "web-2");
    update(&mut s, key(KeyCode::Char('k')));
    assert_eq!(s.top().table.current().unwrap().name, "web-1");
    // A new pod sorting before web-1 arrives: the cursor stays on web-1.
    let mut rows: Vec<Row> = s.top().table.rows.iter().map(|r| (**r).clone()).collect();
    rows.push(pod("api-0", "default", &[], "n1"));
    feed(&mut s, Kind::Pod, Scope::Namespace("default".into()), rows);
    assert_eq!(s.top().table.current().unwrap().name, "web-1");
    update(&mut s, key(KeyCode::Char('G')));
    assert_eq!(s.top().table.current().unwrap().name, "web-2");
    update(&mut s, key(KeyCode::Char('g')));
    assert_eq!(s.top().table.current().unwrap().name, "api-0");
}

#[test]
fn rows_of_another_watch_are_ignored() {
    let mut s = pods_state();
    feed(&mut s, Kind::Pod, Scope::All, vec![pod("other", "x", &[], "n1")]);
    assert_eq!(shown(&s), ["db-0", "web-1", "web-2"]);
}

#[test]
fn slash_filters_live_and_esc_clears() {
    let mut s = pods_state();
    update(&mut s, key(KeyCode::Char('/')));
    assert!(matches!(s.mode, Mode::Filter(_)));
    typed(&mut s, "web");
    assert_eq!(shown(&s), ["web-1", "web-2"]);
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.mode, Mode::Normal));
    assert_eq!(shown(&s), ["web-1", "web-2"], "enter keeps the filter");
    // Esc in normal mode clears the filter before it goes back.
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(shown(&s).len(), 3);
    update(&mut s, key(KeyCode::Char('/')));
    typed(&mut s, "!web");
    assert_eq!(shown(&s), ["db-0"]);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(shown(&s).len(), 3);
    update(&mut s, key(KeyCode::Char('/')));
    typed(&mut s, "-l app=db");
    assert_eq!(shown(&s), ["db-0"]);
}

#[test]
fn command_line_switches_kind_and_namespace() {
    let mut s = pods_state();
    update(&mut s, key(KeyCode::Char(':')));
    typed(&mut s, "deploy kube-system");
    let fx = update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        fx,
        [Effect::Watch(Kind::Deployment, Scope::Namespace("kube-system".into()))]
    );
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Deployment));
    assert_eq!(s.stack.len(), 1);
    update(&mut s, key(KeyCode::Char(':')));
    typed(&mut s, "no");
    assert_eq!(
        update(&mut s, key(KeyCode::Enter)),
        [Effect::Watch(Kind::Node, Scope::All)]
    );
    update(&mut s, key(KeyCode::Char(':')));
    typed(&mut s, "bogus");
    // Not kubedeck's and not in the registry: discovery is read again before it is unknown.
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(fx.iter().all(|e| matches!(e, Effect::Discover(_))), "{fx:?}");
    assert!(s.toasts.iter().any(|t| t.text.contains("bogus")));
    assert_eq!(s.discovery.waiting.as_deref(), Some("bogus"));
    update(&mut s, key(KeyCode::Char(':')));
    typed(&mut s, "ctx");
    assert_eq!(update(&mut s, key(KeyCode::Enter)), [Effect::ListContexts]);
    update(&mut s, Input::Contexts(vec!["a".into(), "b".into()], Some("a".into())));
    update(&mut s, key(KeyCode::Char('j')));
    assert_eq!(update(&mut s, key(KeyCode::Enter)), [Effect::SwitchContext("b".into())]);
}

#[test]
fn zero_toggles_all_namespaces() {
    let mut s = pods_state();
    assert_eq!(
        update(&mut s, key(KeyCode::Char('0'))),
        [Effect::Watch(Kind::Pod, Scope::All)]
    );
    let fx = update(&mut s, key(KeyCode::Char('0')));
    assert_eq!(fx, [Effect::Watch(Kind::Pod, Scope::Namespace("default".into()))]);
}

#[test]
fn enter_on_a_deployment_shows_its_replicasets_then_their_pods_by_owner_and_esc_goes_back() {
    let mut s = State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    update(&mut s, key(KeyCode::Char(':')));
    typed(&mut s, "deploy");
    update(&mut s, key(KeyCode::Enter));
    let mut d = pod("web", "shop", &[], "");
    d.key = "uid-deploy".into();
    feed(&mut s, Kind::Deployment, Scope::Namespace("default".into()), vec![d]);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert_eq!(fx, [Effect::Watch(Kind::ReplicaSet, Scope::Namespace("shop".into()))]);
    let mut mine = pod("web-7d4", "shop", &[("app", "web")], "");
    mine.key = "uid-rs".into();
    mine.owners = vec!["uid-deploy".into()].into();
    // Same labels, another owner: label guessing would wrongly include it.
    let mut other = pod("web-canary", "shop", &[("app", "web")], "");
    other.owners = vec!["uid-other".into()].into();
    feed(
        &mut s,
        Kind::ReplicaSet,
        Scope::Namespace("shop".into()),
        vec![mine, other],
    );
    assert_eq!(shown(&s), ["web-7d4"]);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert_eq!(fx, [Effect::Watch(Kind::Pod, Scope::Namespace("shop".into()))]);
    let mut p1 = pod("web-7d4-a", "shop", &[("app", "web")], "n1");
    p1.owners = vec!["uid-rs".into()].into();
    let p2 = pod("web-canary-b", "shop", &[("app", "web")], "n1");
    feed(&mut s, Kind::Pod, Scope::Namespace("shop".into()), vec![p1, p2]);
    assert_eq!(shown(&s), ["web-7d4-a"]);
    update(&mut s, key(KeyCode::Esc));
    let fx = update(&mut s, key(KeyCode::Esc));
    assert_eq!(
        fx,
        [Effect::Watch(Kind::Deployment, Scope::Namespace("default".into()))]
    );
    assert_eq!(s.stack.len(), 1);
}

#[test]
fn enter_on_a_node_shows_its_pods_in_every_namespace() {
    let mut s = State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    update(&mut s, key(KeyCode::Char(':')));
    typed(&mut s, "no");
    update(&mut s, key(KeyCode::Enter));
    feed(&mut s, Kind::Node, Scope::All, vec![pod("n2", "", &[], "")]);
    assert_eq!(
        update(&mut s, key(KeyCode::Enter)),
        [Effect::Watch(Kind::Pod, Scope::All)]
    );
    let rows = vec![pod("a", "x", &[], "n1"), pod("b", "y", &[], "n2")];
    feed(&mut s, Kind::Pod, Scope::All, rows);
    assert_eq!(shown(&s), ["b"]);
}

#[test]
fn y_and_d_fetch_the_object_and_text_views_scroll() {
    let mut s = pods_state();
    let fx = update(&mut s, key(KeyCode::Char('y')));
    let want = Effect::Fetch {
        kind: Kind::Pod,
        namespace: "default".into(),
        name: "db-0".into(),
        describe: false,
    };
    assert_eq!(fx, [want]);
    assert!(matches!(
        update(&mut s, key(KeyCode::Char('d')))[..],
        [Effect::Fetch { describe: true, .. }]
    ));
    // `y` opened a (still loading) document and `d` switched it to describe.
    assert!(matches!(&s.top().kind, ViewKind::Doc(d) if d.target.describe));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Pod));
}

#[test]
fn help_q_and_ctrl_c() {
    let mut s = pods_state();
    update(&mut s, key(KeyCode::Char('?')));
    assert!(s.help);
    update(&mut s, key(KeyCode::Char('q')));
    assert!(!s.help && !s.quit, "q closes help first");
    assert_eq!(update(&mut s, key(KeyCode::Char('q'))), [Effect::Quit]);
    let mut s = pods_state();
    update(
        &mut s,
        Input::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(s.quit);
}

#[test]
fn sort_by_name_twice_reverses() {
    let mut s = pods_state();
    update(&mut s, key(KeyCode::Char('N')));
    assert_eq!(shown(&s), ["web-2", "web-1", "db-0"]);
}

#[test]
fn toasts_expire_after_their_time() {
    let mut s = pods_state();
    s.toast("hello", false);
    let t0 = std::time::Instant::now();
    update(&mut s, Input::Tick(t0));
    assert_eq!(s.toasts.len(), 1);
    update(&mut s, Input::Tick(t0 + super::update::TOAST_TTL));
    assert!(s.toasts.is_empty());
}

#[test]
fn ns_with_a_name_switches_namespace_without_listing_namespaces() {
    let mut s = State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    update(&mut s, key(KeyCode::Char(':')));
    typed(&mut s, "deploy");
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Char(':')));
    typed(&mut s, "ns team-b");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.namespace.as_deref(), Some("team-b"));
    assert_eq!(
        s.top().kind,
        ViewKind::Resource(Kind::Deployment),
        "stays on the kind in view"
    );
    assert_eq!(
        effects,
        [Effect::Watch(Kind::Deployment, Scope::Namespace("team-b".into()))]
    );
    // Without a name it is the namespaces list, as before.
    update(&mut s, key(KeyCode::Char(':')));
    typed(&mut s, "ns");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Namespace));
}

#[test]
fn vim_keymap_runs_key_sequences_and_a_broken_one_starts_over() {
    let mut s = pods_state();
    s.keymap = crate::config::keymap::builtin("vim").unwrap();
    update(&mut s, key(KeyCode::Char('G')));
    assert_eq!(s.top().table.cursor, 2);
    update(&mut s, key(KeyCode::Char('g')));
    assert_eq!(s.pending_keys.len(), 1, "g waits for the next key");
    assert_eq!(s.top().table.cursor, 2);
    update(&mut s, key(KeyCode::Char('g')));
    assert_eq!((s.top().table.cursor, s.pending_keys.len()), (0, 0), "g g: top");
    // `g` then `j`: no `g j` binding, so `j` counts on its own.
    update(&mut s, key(KeyCode::Char('g')));
    update(&mut s, key(KeyCode::Char('j')));
    assert_eq!((s.top().table.cursor, s.pending_keys.len()), (1, 0));
    // Default keymap's single `g` is top; in vim it is only a prefix.
    assert!(update(&mut s, key(KeyCode::Char('g'))).is_empty());
    assert!(matches!(
        update(&mut s, key(KeyCode::Char('y')))[..],
        [Effect::Fetch { describe: false, .. }]
    ));
}

#[test]
fn copy_name_copies_namespace_slash_name() {
    let mut s = pods_state();
    let effects = update(&mut s, key(KeyCode::Char('C')));
    let name = &s.top().table.current().unwrap().name;
    assert_eq!(effects, [Effect::Copy(format!("default/{name}"))]);
}

#[test]
fn the_filter_line_says_how_it_was_read_and_why_a_selector_is_invalid() {
    let mut s = pods_state();
    typed(&mut s, "/[web");
    let note = |s: &State| s.top().filter_note.clone();
    assert_eq!(
        note(&s).as_deref(),
        Some("not a valid regex (unclosed character class): matched as plain text")
    );
    assert!(shown(&s).is_empty(), "no pod has \"[web\" in it");
    update(&mut s, key(KeyCode::Esc));
    assert_eq!((note(&s), shown(&s).len()), (None, 3), "esc clears filter and note");
    // A selector: valid so far, then broken; the last valid one stays in force and the note says why.
    typed(&mut s, "/-l app=web");
    assert_eq!(shown(&s), ["web-1", "web-2"]);
    assert_eq!(note(&s), None);
    typed(&mut s, "=");
    assert_eq!(shown(&s), ["web-1", "web-2"]);
    assert_eq!(
        note(&s).as_deref(),
        Some(
            "invalid selector: invalid label value \"web=\" for key \"app\": a value must be empty or up to 63 \
             alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character \
             (the last valid filter stays)"
        )
    );
    update(&mut s, key(KeyCode::Esc));
    // `app==` is kubectl's "label app is empty": valid, and said, since it is easily typed by mistake.
    typed(&mut s, "/-l app==");
    assert!(shown(&s).is_empty());
    assert_eq!(note(&s).as_deref(), Some("matching an empty value of label app"));
    update(&mut s, key(KeyCode::Esc));
    // Spaces are part of the pattern, and the title quotes it so that they can be seen.
    typed(&mut s, "/web ");
    assert!(shown(&s).is_empty(), "no cell has \"web \"");
    let screen = crate::test_util::text(&crate::test_util::draw(&s, 100, 10, 0));
    assert!(screen.contains("/\"web \""), "{screen}");
}
