//! Key flows of the log view: opening from rows, feeding events, follow/pause, filters, search, copy, save.

use crossterm::event::KeyCode;

use super::LogView;
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::state::{State, ViewKind};
use crate::app::table::Row;
use crate::app::update::{key, update};
use crate::cluster::logs::{Event, Line, Params, SourceState, Target};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

fn rows(s: &mut State, kind: Kind, names: &[&str]) {
    let rows = names
        .iter()
        .map(|n| {
            std::sync::Arc::new(Row {
                key: format!("uid-{n}"),
                namespace: "shop".into(),
                name: n.to_string().into(),
                ..Default::default()
            })
        })
        .collect();
    let watch = (kind, Scope::Namespace("shop".into()));
    update(
        s,
        Input::Rows {
            watch,
            rows: Some(rows),
            status: WatchStatus::Ready,
        },
    );
}

fn state_on(kind: Kind) -> State {
    let mut s = State::new(Some("shop".into()), false, crate::config::keymap::default_keymap());
    if kind != Kind::Pod {
        s.stack = vec![crate::app::state::View::new(ViewKind::Resource(kind))];
    }
    rows(&mut s, kind, &["web"]);
    s
}

fn press(s: &mut State, c: char) -> Vec<Effect> {
    update(s, key(KeyCode::Char(c)))
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        press(s, c);
    }
    update(s, key(KeyCode::Enter));
}

fn view(s: &State) -> &LogView {
    match &s.top().kind {
        ViewKind::Logs(v) => v,
        other => panic!("not a log view: {other:?}"),
    }
}

fn lines(source: u32, texts: &[&str]) -> Event {
    Event::Lines(
        texts
            .iter()
            .map(|t| Line {
                source,
                ts: None,
                text: t.to_string(),
                cut: 0,
            })
            .collect(),
    )
}

fn feed(s: &mut State, events: Vec<Event>) {
    let session = view(s).session;
    update(s, Input::Logs(events.into_iter().map(|e| (session, e)).collect()));
}

fn open_pod() -> State {
    let mut s = state_on(Kind::Pod);
    let fx = press(&mut s, 'l');
    let session = view(&s).session;
    assert_eq!(
        fx,
        vec![Effect::Logs {
            session,
            target: Target::Pod {
                namespace: "shop".into(),
                name: "web".into(),
                container: None
            },
            params: Params::default(),
        }]
    );
    feed(
        &mut s,
        vec![Event::Source {
            id: 0,
            pod: "web".into(),
            container: "app".into(),
        }],
    );
    s
}

fn text_of(v: &LogView) -> Vec<String> {
    (0..v.len())
        .map(|i| v.ring.get(v.seq_at(i).unwrap()).unwrap().text.clone())
        .collect()
}

#[test]
fn l_opens_logs_of_workloads_services_and_containers() {
    for kind in [
        Kind::Deployment,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::Job,
        Kind::ReplicaSet,
        Kind::Service,
    ] {
        let mut s = state_on(kind);
        let fx = press(&mut s, 'l');
        assert!(
            matches!(&fx[..], [Effect::Logs { target: Target::Workload { kind: k, name, .. }, .. }] if *k == kind && name == "web"),
            "{kind:?}: {fx:?}"
        );
    }
    let mut s = State::new(Some("shop".into()), false, crate::config::keymap::default_keymap());
    s.stack = vec![crate::app::state::View::new(ViewKind::Containers {
        namespace: "shop".into(),
        pod: "web-1".into(),
    })];
    let watch = (Kind::Pod, Scope::Namespace("shop".into()));
    let row = Row {
        key: "c".into(),
        name: "sidecar".into(),
        ..Default::default()
    };
    update(
        &mut s,
        Input::Rows {
            watch,
            rows: Some(vec![std::sync::Arc::new(row)]),
            status: WatchStatus::Ready,
        },
    );
    let fx = press(&mut s, 'l');
    assert!(
        matches!(&fx[..], [Effect::Logs { target: Target::Pod { name, container: Some(c), .. }, .. }] if name == "web-1" && c == "sidecar"),
        "{fx:?}"
    );
    let mut s = state_on(Kind::CronJob);
    assert!(press(&mut s, 'l').is_empty());
    assert!(s.toasts.last().unwrap().text.contains("cronjobs have no logs"));
}

#[test]
fn the_ring_size_comes_from_the_state() {
    let mut s = state_on(Kind::Pod);
    s.log_lines = 7;
    press(&mut s, 'l');
    assert_eq!(view(&s).ring.capacity(), 7);
    let cli = <crate::cli::Cli as clap::Parser>::try_parse_from(["kubedeck", "--log-lines", "500"]).unwrap();
    assert_eq!(cli.log_lines, Some(500));
    // Without the flag the config file's log_ring decides, and it defaults to 100,000.
    let cli = <crate::cli::Cli as clap::Parser>::try_parse_from(["kubedeck"]).unwrap();
    assert_eq!(cli.log_lines, None);
    assert_eq!(crate::config::Config::default().log_ring, 100_000);
}

#[test]
fn paused_view_holds_still_and_counts_new_lines() {
    let mut s = open_pod();
    feed(&mut s, vec![lines(0, &["a", "b", "c"])]);
    assert!(view(&s).follow);
    assert_eq!(view(&s).cursor, 2);
    press(&mut s, 'f');
    assert!(!view(&s).follow);
    feed(&mut s, vec![lines(0, &["d", "e"])]);
    let v = view(&s);
    assert_eq!((v.cursor, v.unseen), (2, 2), "cursor stays, new lines are counted");
    press(&mut s, 'k');
    assert_eq!(view(&s).cursor, 1);
    update(&mut s, key(KeyCode::End));
    let v = view(&s);
    assert!(v.follow);
    assert_eq!((v.cursor, v.unseen), (4, 0));
}

#[test]
fn ring_eviction_is_counted_and_positions_survive() {
    let mut s = open_pod();
    if let ViewKind::Logs(v) = &mut s.top_mut().kind {
        v.ring = super::ring::Ring::new(3);
    }
    feed(&mut s, vec![lines(0, &["a", "b", "c", "d", "e"])]);
    let v = view(&s);
    assert_eq!((v.ring.evicted(), v.ring.len(), v.cursor), (2, 3, 4));
    assert_eq!(text_of(v), vec!["c", "d", "e"]);
}

#[test]
fn include_and_exclude_filters_hide_lines_and_apply_to_new_ones() {
    let mut s = open_pod();
    feed(
        &mut s,
        vec![lines(0, &["GET /a 200", "GET /b 500", "healthz ok", "POST /c 500"])],
    );
    press(&mut s, 'i');
    typed(&mut s, "500|ok");
    assert_eq!(text_of(view(&s)), vec!["GET /b 500", "healthz ok", "POST /c 500"]);
    press(&mut s, 'x');
    typed(&mut s, "health");
    assert_eq!(text_of(view(&s)), vec!["GET /b 500", "POST /c 500"]);
    feed(&mut s, vec![lines(0, &["PUT /d 500", "PUT /e 201"])]);
    assert_eq!(text_of(view(&s)), vec!["GET /b 500", "POST /c 500", "PUT /d 500"]);
    // A bad pattern is refused with a message; the filter in force stays.
    press(&mut s, 'i');
    update(&mut s, key(KeyCode::Char('(')));
    update(&mut s, key(KeyCode::Enter));
    let t = s.toasts.last().unwrap();
    assert!(t.error);
    assert_eq!(
        t.text,
        "include regex \"500|ok(\": not a valid regex (unclosed group); the filter in force stays"
    );
    assert_eq!(view(&s).len(), 3, "the filter in force stays");
    assert_eq!(view(&s).include.as_ref().unwrap().0, "500|ok");
}

#[test]
fn patterns_keep_their_spaces_and_an_invalid_search_says_why() {
    let mut s = open_pod();
    feed(
        &mut s,
        vec![lines(0, &["GET / 500 3ms", "took 15000ms", "GET / 200 1ms"])],
    );
    press(&mut s, 'i');
    typed(&mut s, " 500 ");
    assert_eq!(text_of(view(&s)), vec!["GET / 500 3ms"], "not 15000");
    assert_eq!(view(&s).include.as_ref().unwrap().0, " 500 ");
    press(&mut s, '/');
    typed(&mut s, "[abc");
    let t = s.toasts.last().unwrap();
    assert!(t.error);
    assert_eq!(t.text, "search \"[abc\": not a valid regex (unclosed character class)");
    assert!(view(&s).search.is_none());
}

#[test]
fn search_jumps_between_matches_and_esc_peels_layers() {
    let mut s = open_pod();
    feed(&mut s, vec![lines(0, &["x1", "err a", "x2", "err b", "x3"])]);
    press(&mut s, '/');
    typed(&mut s, "err");
    let v = view(&s);
    assert!(!v.follow, "a search holds the view");
    assert_eq!(v.cursor, 3, "from the bottom the newest match comes first");
    press(&mut s, 'N');
    assert_eq!(view(&s).cursor, 1);
    // Past the first match N wraps to the last, and says so; n wraps the other way.
    press(&mut s, 'N');
    assert_eq!(view(&s).cursor, 3);
    assert_eq!(
        s.toasts.last().unwrap().text,
        "search hit the top, continued from the bottom"
    );
    press(&mut s, 'n');
    assert_eq!(view(&s).cursor, 1);
    assert_eq!(
        s.toasts.last().unwrap().text,
        "search hit the bottom, continued from the top"
    );
    press(&mut s, 'n');
    assert_eq!(view(&s).cursor, 3);
    update(&mut s, key(KeyCode::Esc));
    assert!(view(&s).search.is_none());
    update(&mut s, key(KeyCode::Esc));
    assert!(
        !matches!(s.top().kind, ViewKind::Logs(_)),
        "esc with nothing left leaves the view"
    );
}

#[test]
fn copy_sends_the_selection_and_save_the_shown_lines() {
    let mut s = open_pod();
    feed(&mut s, vec![lines(0, &["one", "two", "three"])]);
    press(&mut s, 'k');
    press(&mut s, 'v');
    press(&mut s, 'k');
    let fx = press(&mut s, 'y');
    assert_eq!(fx, vec![Effect::Copy("one\ntwo".into())]);
    press(&mut s, 'i');
    typed(&mut s, "t");
    // The prompt offers "<name>.log"; typing extends it, Enter saves the filtered lines.
    press(&mut s, 's');
    for c in "-x".chars() {
        press(&mut s, c);
    }
    let fx = update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        fx,
        vec![Effect::Save {
            path: "web.log-x".into(),
            text: "two\nthree\n".into(),
            lines: 2,
            overwrite: false,
        }]
    );
}

#[test]
fn saving_over_an_existing_file_asks_first_and_names_it_in_full() {
    let mut s = open_pod();
    feed(&mut s, vec![lines(0, &["one"])]);
    let exists = || Input::SaveExists {
        path: "/home/op/web.log".into(),
        text: "one\n".into(),
        lines: 1,
    };
    update(&mut s, exists());
    let q = s.question.as_ref().expect("asked before overwriting");
    assert_eq!(q.text, "/home/op/web.log exists: overwrite it with 1 line(s)? (y/n)");
    let screen = crate::test_util::text(&crate::test_util::draw(&s, 80, 12, 0));
    assert!(screen.contains("/home/op/web.log exists: overwrite it"), "{screen}");
    // Anything but y keeps the file, and says so; the key does nothing else.
    assert!(press(&mut s, 'j').is_empty());
    assert!(s.question.is_none());
    assert_eq!(
        s.toasts.last().unwrap().text,
        "not saved: /home/op/web.log is unchanged"
    );
    update(&mut s, exists());
    assert_eq!(
        press(&mut s, 'y'),
        vec![Effect::Save {
            path: "/home/op/web.log".into(),
            text: "one\n".into(),
            lines: 1,
            overwrite: true,
        }]
    );
}

#[test]
fn previous_and_start_reopen_with_a_new_session() {
    let mut s = open_pod();
    feed(&mut s, vec![lines(0, &["a"])]);
    let old = view(&s).session;
    let fx = press(&mut s, 'p');
    let v = view(&s);
    assert_ne!(v.session, old);
    assert!(v.ring.is_empty(), "a reopened view starts empty");
    assert!(matches!(&fx[..], [Effect::Logs { params, .. }] if params.previous));
    // Stragglers of the old session are ignored.
    update(&mut s, Input::Logs(vec![(old, lines(0, &["late"]))]));
    assert!(view(&s).ring.is_empty());
    press(&mut s, 'T');
    for _ in 0..10 {
        update(&mut s, key(KeyCode::Backspace));
    }
    typed(&mut s, "15m");
    let v = view(&s);
    assert_eq!(
        (v.params.tail, v.params.since_seconds, v.params.previous),
        (None, Some(900), true)
    );
    assert_eq!(super::keys::parse_start("250"), Ok((Some(250), None)));
    assert_eq!(super::keys::parse_start("all"), Ok((None, None)));
    assert!(super::keys::parse_start("5x").is_err());
}

#[test]
fn source_states_are_kept_and_gone_is_final() {
    let mut s = open_pod();
    feed(
        &mut s,
        vec![
            Event::State {
                id: 0,
                state: SourceState::Gone,
            },
            Event::State {
                id: 0,
                state: SourceState::Ended,
            },
        ],
    );
    assert_eq!(view(&s).sources[0].state, SourceState::Gone);
}

#[test]
fn log_keys_come_from_the_keymap_and_can_be_remapped() {
    let text = "logs:\n  follow: { keys: [F], help: follow, footer: true }\n  top: { keys: [ctrl-t] }\n";
    let source = crate::config::Source::File("mine.yaml".into());
    let keymap = crate::config::keymap::parse_text("mine", text, &source).unwrap();
    let mut s = open_pod();
    s.keymap = keymap;
    feed(&mut s, vec![lines(0, &["a", "b", "c"])]);
    press(&mut s, 'f');
    assert!(view(&s).follow, "f is no longer follow");
    press(&mut s, 'F');
    assert!(!view(&s).follow, "F is");
    press(&mut s, 'g');
    assert_eq!(view(&s).cursor, 2, "g is no longer top");
    let ctrl_t = crossterm::event::KeyEvent::new(KeyCode::Char('t'), crossterm::event::KeyModifiers::CONTROL);
    update(&mut s, Input::Key(ctrl_t));
    assert_eq!(view(&s).cursor, 0);
    press(&mut s, 'j');
    assert_eq!(view(&s).cursor, 1, "the rest is the default keymap's");
    let help = crate::ui::help::entries(&s);
    assert!(help.iter().any(|(k, h)| k == &["F"] && h == "follow"), "{help:?}");
    assert!(crate::ui::footer::hints(&s).contains(&("F".into(), "follow: off".into())));
}

#[test]
fn l_opens_logs_after_a_filter() {
    use crate::test_util;
    let mut s = test_util::connected("demo", "shop", false);
    let rows = ["api", "web"]
        .iter()
        .map(|n| Row {
            key: format!("uid-{n}"),
            namespace: "shop".into(),
            name: n.to_string().into(),
            ..Default::default()
        })
        .collect();
    test_util::show(
        &mut s,
        Kind::Deployment,
        Scope::Namespace("shop".into()),
        rows,
        WatchStatus::Ready,
    );
    test_util::type_keys(&mut s, "/web");
    update(&mut s, key(KeyCode::Enter));
    let fx = press(&mut s, 'l');
    assert!(
        matches!(&fx[..], [Effect::Logs { .. }]),
        "{fx:?} {:?}",
        s.top().table.visible
    );
}
