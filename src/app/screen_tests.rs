//! Key-flow tests of the resource screens: column sort keys, wide mode and drill-downs.

use crossterm::event::KeyCode;

use super::effect::Effect;
use super::event::Input;
use super::state::{State, ViewKind};
use super::table::{Row, SortCol};
use super::update::{key, update};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

/// A pod row with kubectl's cells: READY, STATUS, RESTARTS, AGE, IP, NODE, NOMINATED NODE, READINESS GATES.
fn pod(name: &str, ready: &str, status: &str, restarts: &str, created: i64, ip: &str) -> Row {
    Row {
        key: format!("uid-{name}"),
        namespace: "default".into(),
        name: name.into(),
        cells: [ready, status, restarts, "", ip, "n1", "<none>", "<none>"]
            .map(Into::into)
            .to_vec(),
        stamps: vec![None, None, None, Some(created), None, None, None, None].into(),
        created: Some(created),
        ..Default::default()
    }
}

fn feed(s: &mut State, kind: Kind, scope: Scope, rows: Vec<Row>) {
    let status = WatchStatus::Ready;
    update(
        s,
        Input::Rows {
            watch: (kind, scope),
            rows: Some(rows.into_iter().map(std::sync::Arc::new).collect()),
            status,
        },
    );
}

fn shown(s: &State) -> Vec<String> {
    let t = &s.top().table;
    t.visible.iter().map(|&i| t.rows[i].name.to_string()).collect()
}

fn pods() -> State {
    let mut s = State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    let rows = vec![
        pod("a", "1/1", "Running", "10", 300, "10.0.0.12"),
        pod("b", "2/3", "CrashLoopBackOff", "9", 100, "10.0.0.9"),
        pod("c", "10/10", "Running", "0", 200, "10.0.1.1"),
    ];
    feed(&mut s, Kind::Pod, Scope::Namespace("default".into()), rows);
    s
}

fn press(s: &mut State, c: char) -> Vec<Effect> {
    update(s, key(KeyCode::Char(c)))
}

#[test]
fn angle_brackets_walk_the_columns_numerically_and_s_reverses() {
    let mut s = pods();
    assert_eq!(s.top().sort.col, SortCol::Name);
    press(&mut s, '<');
    assert_eq!(s.top().sort.col, SortCol::Name, "left edge keeps NAME");
    press(&mut s, '>');
    assert_eq!(s.top().sort.col, SortCol::Cell(0));
    assert_eq!(shown(&s), ["a", "b", "c"], "READY 1/1 < 2/3 < 10/10");
    press(&mut s, '>');
    press(&mut s, '>');
    assert_eq!(s.top().sort.col, SortCol::Cell(2));
    assert_eq!(shown(&s), ["c", "b", "a"], "RESTARTS 0 < 9 < 10");
    press(&mut s, 'S');
    assert!(s.top().sort.descending);
    assert_eq!(shown(&s), ["a", "b", "c"]);
    // Past the seven usage columns to AGE.
    for _ in 0..8 {
        press(&mut s, '>');
    }
    assert_eq!(s.top().sort.col, SortCol::Age);
    assert_eq!(shown(&s), ["b", "c", "a"], "reversed AGE: oldest first");
    press(&mut s, '>');
    assert_eq!(s.top().sort.col, SortCol::Age, "right edge keeps AGE when not wide");
    // The cursor stays on its object through every re-sort.
    s.top_mut().table.select(0);
    let under = s.top().table.current().unwrap().name.clone();
    press(&mut s, 'S');
    assert_eq!(s.top().table.current().unwrap().name, under);
}

#[test]
fn w_toggles_wide_and_lets_the_sort_reach_the_ip_column() {
    let mut s = pods();
    assert!(!s.wide);
    press(&mut s, 'A');
    press(&mut s, 'w');
    assert!(s.wide);
    press(&mut s, '>');
    assert_eq!(s.top().sort.col, SortCol::Cell(4));
    assert_eq!(shown(&s), ["b", "a", "c"], "IP 10.0.0.9 < 10.0.0.12 < 10.0.1.1");
    // Leaving wide mode hides IP: the sort falls back to NAME rather than an invisible column.
    press(&mut s, 'w');
    assert!(!s.wide);
    assert_eq!(s.top().sort.col, SortCol::Name);
}

#[test]
fn enter_on_a_pod_opens_its_containers_and_esc_returns_to_the_same_pod() {
    let mut s = pods();
    press(&mut s, 'j');
    assert_eq!(s.top().table.current().unwrap().name, "b");
    let fx = update(&mut s, key(KeyCode::Enter));
    assert_eq!(fx, [Effect::Watch(Kind::Pod, Scope::Namespace("default".into()))]);
    assert_eq!(
        s.top().kind,
        ViewKind::Containers {
            namespace: "default".into(),
            pod: "b".into()
        }
    );
    let containers = vec![
        Row {
            key: "init/setup".into(),
            name: "setup".into(),
            ..Default::default()
        },
        Row {
            key: "main/app".into(),
            name: "app".into(),
            ..Default::default()
        },
    ];
    feed(&mut s, Kind::Pod, Scope::Namespace("default".into()), containers);
    assert_eq!(shown(&s), ["app", "setup"]);
    // Enter inside the containers view does nothing (no fetch of a "container" object).
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    let fx = update(&mut s, key(KeyCode::Esc));
    assert_eq!(fx, [Effect::Watch(Kind::Pod, Scope::Namespace("default".into()))]);
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Pod));
    assert_eq!(s.top().table.current().unwrap().name, "b");
}

#[test]
fn owner_drill_downs_of_statefulsets_daemonsets_jobs_and_cronjobs() {
    for (cmd, kind, child) in [
        ("sts", Kind::StatefulSet, Kind::Pod),
        ("ds", Kind::DaemonSet, Kind::Pod),
        ("job", Kind::Job, Kind::Pod),
        ("rs", Kind::ReplicaSet, Kind::Pod),
        ("cj", Kind::CronJob, Kind::Job),
    ] {
        let mut s = State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
        press(&mut s, ':');
        for c in cmd.chars() {
            press(&mut s, c);
        }
        update(&mut s, key(KeyCode::Enter));
        let owner = Row {
            key: "uid-owner".into(),
            namespace: "default".into(),
            name: "x".into(),
            ..Default::default()
        };
        feed(&mut s, kind, Scope::Namespace("default".into()), vec![owner]);
        let fx = update(&mut s, key(KeyCode::Enter));
        assert_eq!(fx, [Effect::Watch(child, Scope::Namespace("default".into()))], "{cmd}");
        let child_row = |name: &str, owner: &str| Row {
            key: name.into(),
            namespace: "default".into(),
            name: name.into(),
            owners: vec![owner.into()].into(),
            ..Default::default()
        };
        let rows = vec![child_row("x-0", "uid-owner"), child_row("y-0", "uid-else")];
        feed(&mut s, child, Scope::Namespace("default".into()), rows);
        assert_eq!(shown(&s), ["x-0"], "{cmd}");
    }
}

#[test]
fn a_service_drills_down_by_selector_and_events_start_newest_first() {
    let mut s = State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    press(&mut s, ':');
    for c in "svc".chars() {
        press(&mut s, c);
    }
    update(&mut s, key(KeyCode::Enter));
    let svc = Row {
        key: "uid-svc".into(),
        namespace: "default".into(),
        name: "web".into(),
        selector: Some(vec![("app".into(), "web".into())]),
        ..Default::default()
    };
    feed(&mut s, Kind::Service, Scope::Namespace("default".into()), vec![svc]);
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.top().fixed.labels, Some(vec![("app".into(), "web".into())]));

    press(&mut s, ':');
    for c in "ev".chars() {
        press(&mut s, c);
    }
    update(&mut s, key(KeyCode::Enter));
    let ev = |name: &str, last: i64| Row {
        key: name.into(),
        namespace: "default".into(),
        name: name.into(),
        cells: vec![String::new().into(), "Normal".into()],
        stamps: vec![Some(last), None].into(),
        ..Default::default()
    };
    let rows = vec![ev("old", 100), ev("new", 300), ev("mid", 200)];
    feed(&mut s, Kind::Event, Scope::Namespace("default".into()), rows);
    assert_eq!(shown(&s), ["new", "mid", "old"]);
}
