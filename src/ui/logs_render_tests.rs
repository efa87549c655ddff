//! Render tests of the log view: prefixes, search highlights, paused counter, eviction notice, errors,
//! JSON fields, wrap and horizontal scroll, drawn into a TestBackend.

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use crate::app::state::{State, View, ViewKind};
use crate::app::table::Row;
use crate::app::update::key;
use crate::app::{Input, update};
use crate::cluster::logs::{Event, Line, SourceState};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

fn deployment_logs() -> State {
    let mut s = State::new(Some("shop".into()), false);
    s.stack = vec![View::new(ViewKind::Resource(Kind::Deployment))];
    update(&mut s, Input::Resize(12));
    let row = Row {
        key: "u".into(),
        namespace: "shop".into(),
        name: "web".into(),
        ..Default::default()
    };
    update(
        &mut s,
        Input::Rows {
            watch: (Kind::Deployment, Scope::Namespace("shop".into())),
            rows: Some(vec![std::sync::Arc::new(row)]),
            status: WatchStatus::Ready,
        },
    );
    update(&mut s, key(KeyCode::Char('l')));
    let mut events = Vec::new();
    for (id, pod) in ["web-1", "web-2"].iter().enumerate() {
        events.push(Event::Source {
            id: id as u32,
            pod: pod.to_string(),
            container: "app".into(),
        });
        events.push(Event::State {
            id: id as u32,
            state: SourceState::Streaming,
        });
    }
    send(&mut s, events);
    s
}

fn send(s: &mut State, events: Vec<Event>) {
    let ViewKind::Logs(v) = &s.top().kind else {
        panic!("no log view")
    };
    let session = v.session;
    update(s, Input::Logs(events.into_iter().map(|e| (session, e)).collect()));
}

fn lines(texts: &[(u32, &str)]) -> Event {
    Event::Lines(
        texts
            .iter()
            .map(|(source, t)| Line {
                source: *source,
                ts: Some("2026-11-23T08:00:00.25Z".parse().unwrap()),
                text: t.to_string(),
            })
            .collect(),
    )
}

fn draw(s: &State, width: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(width, 12)).unwrap();
    term.draw(|f| super::draw(f, s, 0)).unwrap();
    term
}

fn text(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

fn find(term: &Terminal<TestBackend>, needle: &str) -> (u16, u16) {
    let out = text(term);
    for (y, l) in out.lines().enumerate() {
        if let Some(x) = l.find(needle) {
            return (l[..x].chars().count() as u16, y as u16);
        }
    }
    panic!("{needle:?} not on screen:\n{out}")
}

#[test]
fn sources_are_prefixed_in_their_colours_and_matches_highlighted() {
    let mut s = deployment_logs();
    send(
        &mut s,
        vec![lines(&[(0, "GET /cart 200"), (1, "GET /login 500"), (0, "GET /x 200")])],
    );
    update(&mut s, key(KeyCode::Char('/')));
    for c in "500".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    update(&mut s, key(KeyCode::Enter));
    send(&mut s, vec![lines(&[(1, "late 1"), (1, "late 2")])]);
    let term = draw(&s, 100);
    let out = text(&term);
    let buf = term.backend().buffer();
    let (x, y) = find(&term, "web-2 app GET /login 500");
    assert_eq!(
        buf[(x, y)].fg,
        super::views::logs::color(1),
        "prefix in its source's colour"
    );
    let (x0, y0) = find(&term, "web-1 app GET /cart");
    assert_eq!(buf[(x0, y0)].fg, super::views::logs::color(0));
    let (hx, hy) = find(&term, "500");
    assert_eq!(
        (buf[(hx, hy)].bg, buf[(hx, hy)].fg),
        (Color::Yellow, Color::Black),
        "match highlighted"
    );
    assert!(out.contains("paused, 2 new lines"), "a search holds the view:\n{out}");
    assert!(out.contains("search /500/"), "{out}");
    assert!(out.contains("■ web-1/app"), "source legend:\n{out}");
}

#[test]
fn eviction_errors_and_gone_sources_are_said() {
    let mut s = deployment_logs();
    if let ViewKind::Logs(v) = &mut s.top_mut().kind {
        v.ring = crate::app::logs::ring::Ring::new(2);
    }
    send(
        &mut s,
        vec![
            lines(&[(0, "a"), (0, "b"), (0, "c")]),
            Event::State {
                id: 1,
                state: SourceState::Gone,
            },
        ],
    );
    let out = text(&draw(&s, 120));
    assert!(out.contains("1 older lines left the buffer (keeps 2)"), "{out}");
    assert!(out.contains("web-2/app (gone)"), "{out}");
    assert!(out.contains("following"), "{out}");

    let mut s = deployment_logs();
    send(
        &mut s,
        vec![
            Event::State {
                id: 0,
                state: SourceState::Failed("Forbidden: pods \"web-1\" is forbidden".into()),
            },
            Event::State {
                id: 1,
                state: SourceState::Failed("Forbidden: pods \"web-2\" is forbidden".into()),
            },
        ],
    );
    let out = text(&draw(&s, 120));
    assert!(
        out.contains("Forbidden: pods \"web-1\" is forbidden"),
        "errors in the view:\n{out}"
    );
    let mut s = deployment_logs();
    send(
        &mut s,
        vec![Event::Target(Some("deployments.apps \"web\" not found".into()))],
    );
    let out = text(&draw(&s, 120));
    assert!(out.contains("Error: deployments.apps \"web\" not found"), "{out}");
}

#[test]
fn json_fields_wrap_timestamps_and_horizontal_scroll() {
    let mut s = deployment_logs();
    let json = r#"{"level":"error","msg":"upstream returned 503","latency_ms":7}"#;
    send(&mut s, vec![lines(&[(0, json)])]);
    update(&mut s, key(KeyCode::Char('J')));
    let out = text(&draw(&s, 100));
    assert!(
        out.contains("web-1 app ERROR  upstream returned 503  latency_ms=7"),
        "{out}"
    );
    update(&mut s, key(KeyCode::Char('J')));
    let out = text(&draw(&s, 100));
    assert!(out.contains("  \"level\": \"error\","), "indented JSON:\n{out}");
    update(&mut s, key(KeyCode::Char('J')));
    update(&mut s, key(KeyCode::Char('t')));
    let out = text(&draw(&s, 100));
    assert!(out.contains("web-1 app 2026-11-23T08:00:00.25Z {\"level\""), "{out}");
    update(&mut s, key(KeyCode::Char('t')));
    let long: String = (0..30).map(|i| format!("w{i:02} ")).collect();
    send(&mut s, vec![lines(&[(1, &long)])]);
    let out = text(&draw(&s, 60));
    assert!(out.contains("web-2 app w00 w01"), "{out}");
    update(&mut s, key(KeyCode::Right));
    let out = text(&draw(&s, 60));
    assert!(
        out.contains("web-2 app w02 w03"),
        "scrolled by 8 columns, prefix kept:\n{out}"
    );
    update(&mut s, key(KeyCode::Char('w')));
    let out = text(&draw(&s, 60));
    let rows = out.lines().filter(|l| l.contains(" w")).count();
    assert!(rows >= 3, "a wrapped line takes several rows:\n{out}");
    assert!(out.contains("w29"), "{out}");
}

#[test]
fn footer_and_help_list_the_log_keys() {
    let mut s = deployment_logs();
    let out = text(&draw(&s, 160));
    let footer = out.lines().last().unwrap();
    assert!(
        footer.contains("<f> follow: on") && footer.contains("</> search"),
        "{footer}"
    );
    update(&mut s, key(KeyCode::Char('i')));
    let out = text(&draw(&s, 160));
    assert!(out.lines().last().unwrap().starts_with("include regex: "), "{out}");
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Char('?')));
    let mut term = Terminal::new(TestBackend::new(160, 40)).unwrap();
    term.draw(|f| super::draw(f, &s, 0)).unwrap();
    let out = text(&term);
    for want in [
        "json raw/fields/indented",
        "copy (OSC 52)",
        "previous container",
        "quit",
    ] {
        assert!(out.contains(want), "{want}:\n{out}");
    }
}
