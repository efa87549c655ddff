//! Key flows of the health screens: `:cp`, the start screen, refreshes, `h` on a node, scrolling.

use crossterm::event::KeyCode;

use super::controlplane;
use super::effect::Effect;
use super::event::Input;
use super::state::{State, ViewKind};
use super::table::Row;
use super::update::{key, run_command, update};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

fn connect(s: &mut State) -> Vec<Effect> {
    update(
        s,
        Input::Connected {
            context: "demo".into(),
            namespace: "shop".into(),
            url: "https://x".into(),
        },
    )
}

fn command(s: &mut State, line: &str) -> Vec<Effect> {
    update(s, key(KeyCode::Char(':')));
    for c in line.chars() {
        update(s, key(KeyCode::Char(c)));
    }
    update(s, key(KeyCode::Enter))
}

fn report() -> crate::cluster::health::Report {
    use crate::cluster::health::*;
    Report {
        taken: 0,
        api: ApiServer {
            version: Panel::Ok(("v1.33.4".into(), "linux/amd64".into())),
            rtt_ms: Some(1),
            readyz: Panel::Ok(vec![]),
            livez: Panel::Ok(vec![]),
            instances: Panel::Ok(vec![]),
        },
        leaders: Panel::Ok(vec![]),
        pods: Panel::Ok(vec![]),
        apis: Panel::Ok(vec![]),
        webhooks: Panel::Ok(vec![]),
        events: Panel::Ok(vec![]),
        watch_restarts: 0,
        throttled: 0,
    }
}

#[test]
fn the_start_screen_fetches_once_connected_and_not_before() {
    let mut s = State::new(Some("shop".into()), false, crate::config::keymap::default_keymap());
    assert!(run_command(&mut s, "cp").is_empty(), "no client yet");
    assert!(matches!(s.top().kind, ViewKind::ControlPlane { .. }));
    // Discovery comes after the start screen's own request, beside it.
    assert_eq!(
        connect(&mut s),
        [
            Effect::FetchControlPlane,
            Effect::Discover("demo".into()),
            Effect::WatchCrds("demo".into())
        ]
    );
    // A refresh already on its way is not asked for twice (slow server, 10 s ticks).
    assert!(controlplane::due(&mut s).is_empty());
    update(&mut s, Input::ControlPlane(Box::new(report())));
    assert!(!s.cp_pending && s.control_plane.is_some());
    assert_eq!(controlplane::due(&mut s), [Effect::FetchControlPlane]);
    update(&mut s, Input::ControlPlane(Box::new(report())));
    assert_eq!(update(&mut s, ctrl_r()), [Effect::FetchControlPlane]);
}

#[test]
fn colon_cp_opens_the_screen_from_anywhere_and_other_screens_do_not_refresh() {
    let mut s = State::new(Some("shop".into()), false, crate::config::keymap::default_keymap());
    connect(&mut s);
    assert!(!controlplane::periodic(&s), "pods are a watch, not a poll");
    assert!(controlplane::due(&mut s).is_empty());
    assert_eq!(command(&mut s, "cp"), [Effect::FetchControlPlane]);
    assert_eq!(s.stack.len(), 1);
    assert!(controlplane::periodic(&s));
    update(&mut s, Input::ControlPlane(Box::new(report())));
    assert!(matches!(command(&mut s, "po")[..], [Effect::Watch(Kind::Pod, _)]));
    assert!(command(&mut s, "controlplane").contains(&Effect::FetchControlPlane));
    assert!(controlplane::is_screen("cp") && controlplane::is_screen("nodes") && !controlplane::is_screen("nope"));
}

#[test]
fn arrows_scroll_the_control_plane_screen() {
    let mut s = State::new(None, false, crate::config::keymap::default_keymap());
    connect(&mut s);
    command(&mut s, "cp");
    let scroll = |s: &State| match s.top().kind {
        ViewKind::ControlPlane { scroll } => scroll,
        _ => panic!("not on cp"),
    };
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Char('j')));
    assert_eq!(scroll(&s), 2);
    update(&mut s, key(KeyCode::Up));
    assert_eq!(scroll(&s), 1);
    update(&mut s, key(KeyCode::Char('G')));
    assert_eq!(scroll(&s), u16::MAX);
    update(&mut s, key(KeyCode::Char('g')));
    assert_eq!(scroll(&s), 0);
    update(&mut s, key(KeyCode::Up));
    assert_eq!(scroll(&s), 0);
}

#[test]
fn h_on_a_node_opens_its_health_and_esc_goes_back() {
    let mut s = State::new(None, false, crate::config::keymap::default_keymap());
    connect(&mut s);
    command(&mut s, "no");
    let row = Row {
        key: "uid-w3".into(),
        name: "worker-3".into(),
        ..Default::default()
    };
    update(
        &mut s,
        Input::Rows {
            watch: (Kind::Node, Scope::All),
            rows: Some(vec![row.into()]),
            status: WatchStatus::Ready,
        },
    );
    assert_eq!(
        update(&mut s, key(KeyCode::Char('H'))),
        [Effect::FetchNodeHealth("worker-3".into())]
    );
    assert!(matches!(&s.top().kind, ViewKind::NodeHealth { node, .. } if node == "worker-3"));
    assert!(controlplane::periodic(&s));
    assert!(controlplane::due(&mut s).is_empty(), "pending");
    let mut h = crate::cluster::nodehealth::from_node(&Default::default(), 0);
    h.name = "worker-9".into();
    update(&mut s, Input::NodeHealth(Box::new(h.clone())));
    assert!(s.node_health.is_none(), "data of a node not on screen is dropped");
    h.name = "worker-3".into();
    update(&mut s, Input::NodeHealth(Box::new(h)));
    assert!(s.node_health.is_some());
    assert_eq!(update(&mut s, ctrl_r()), [Effect::FetchNodeHealth("worker-3".into())]);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Node));
    // `H` elsewhere does nothing.
    command(&mut s, "po");
    assert!(update(&mut s, key(KeyCode::Char('H'))).is_empty());
}

/// Refresh is ctrl-r: `r` restarts rollouts and `h` shows their history on the same tables.
fn ctrl_r() -> Input {
    Input::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('r'),
        crossterm::event::KeyModifiers::CONTROL,
    ))
}
