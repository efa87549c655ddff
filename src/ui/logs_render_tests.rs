//! Render tests of the log view: prefixes, search highlights, paused counter, eviction notice, errors,
//! JSON fields, wrap and horizontal scroll, drawn into a TestBackend.

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Cell;
use ratatui::style::{Color, Modifier, Style};

use crate::app::state::{State, View, ViewKind};
use crate::app::table::Row;
use crate::app::update::key;
use crate::app::{Input, update};
use crate::cluster::logs::{Event, Line, SourceState};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::config::theme::{self, Theme};

fn deployment_logs() -> State {
    let mut s = State::new(Some("shop".into()), false, crate::config::keymap::default_keymap());
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
                cut: 0,
            })
            .collect(),
    )
}

fn draw(s: &State, width: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(width, 12)).unwrap();
    term.draw(|f| super::draw(f, s, 0)).unwrap();
    term
}

fn draw_in(s: &State, theme: &Theme, width: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(width, 12)).unwrap();
    term.draw(|f| super::draw_with(f, s, theme, 0)).unwrap();
    term
}

/// Whether `cell` shows `style`: its colours, and at least its modifiers (the row may add more).
fn styled(cell: &Cell, style: Style) -> bool {
    style.fg.is_none_or(|c| cell.fg == c)
        && style.bg.is_none_or(|c| cell.bg == c)
        && cell.modifier.contains(style.add_modifier)
}

fn search(s: &mut State, pattern: &str) {
    update(s, key(KeyCode::Char('/')));
    for c in pattern.chars() {
        update(s, key(KeyCode::Char(c)));
    }
    update(s, key(KeyCode::Enter));
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
fn sources_are_prefixed_in_their_theme_styles_and_matches_highlighted() {
    let theme = Theme::default();
    let mut s = deployment_logs();
    send(
        &mut s,
        vec![lines(&[
            (0, "GET /cart 200"),
            (1, "GET /login 500"),
            (0, "retry /login 500"),
        ])],
    );
    // From the bottom the search lands on the newest match: that line holds the cursor.
    search(&mut s, "500");
    send(&mut s, vec![lines(&[(1, "late 1"), (1, "late 2")])]);
    let term = draw(&s, 100);
    let out = text(&term);
    let buf = term.backend().buffer();
    let (x, y) = find(&term, "web-2 app GET /login 500");
    assert_eq!(
        Some(buf[(x, y)].fg),
        theme.log_source(1).fg,
        "prefix in its source's style"
    );
    let (x0, y0) = find(&term, "web-1 app GET /cart");
    assert_eq!(Some(buf[(x0, y0)].fg), theme.log_source(0).fg);
    assert_ne!(theme.log_source(0).fg, theme.log_source(1).fg);
    let (hx, hy) = find(&term, "500");
    assert_eq!(hy, y, "the first match is on the login line");
    assert!(styled(&buf[(hx, hy)], theme.search_hit), "match highlighted");
    let (cx, cy) = find(&term, "retry");
    assert!(styled(&buf[(cx, cy)], theme.selected), "cursor line selected");
    let (mx, my) = find(&term, "retry /login 500");
    let current = &buf[(mx + "retry /login ".len() as u16, my)];
    assert_eq!(my, cy, "{out}");
    assert!(
        styled(current, theme.search_current),
        "the match on the cursor line is the current one"
    );
    assert_ne!(current.bg, buf[(hx, hy)].bg);
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

#[test]
fn mono_log_view_has_no_colour_and_says_every_state() {
    let mono = theme::builtin("mono").unwrap();
    let mut s = deployment_logs();
    let mut events = vec![lines(&[
        (0, "GET /cart 200"),
        (1, "GET /login 500"),
        (0, "retry /login 500"),
    ])];
    for (id, pod) in [(2, "web-3"), (3, "web-4")] {
        events.push(Event::Source {
            id,
            pod: pod.into(),
            container: "app".into(),
        });
    }
    events.push(Event::State {
        id: 1,
        state: SourceState::Gone,
    });
    events.push(Event::State {
        id: 2,
        state: SourceState::Ended,
    });
    events.push(Event::State {
        id: 3,
        state: SourceState::Waiting(String::new()),
    });
    send(&mut s, events);
    search(&mut s, "500");
    update(&mut s, key(KeyCode::Char('v')));
    update(&mut s, key(KeyCode::Up));
    let term = draw_in(&s, &mono, 160);
    let buf = term.backend().buffer();
    let out = text(&term);
    assert!(
        buf.content.iter().all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "a mono log view sets no colour:\n{out}"
    );
    for word in [
        "■ web-1/app  ",
        "web-2/app (gone)",
        "web-3/app (ended)",
        "web-4/app (waiting)",
        "search /500/",
        "2 lines selected",
        "paused, 0 new lines",
    ] {
        assert!(out.contains(word), "{word:?} missing:\n{out}");
    }
    // Matches, the selection and the gone source's prefix differ by modifiers, not by colour.
    let (x, y) = find(&term, "web-2 app GET /login 500");
    assert!(buf[(x, y)].modifier.contains(Modifier::DIM), "gone source's prefix dim");
    // `v` then Up: the cursor (and so the current match) is on the login line, both lines selected.
    let (hx, hy) = find(&term, "500");
    assert_eq!(hy, y);
    assert!(
        styled(&buf[(hx, hy)], mono.search_current),
        "current match bold and underlined"
    );
    let (rx, ry) = find(&term, "retry /login 500");
    let other = &buf[(rx + "retry /login ".len() as u16, ry)];
    assert_ne!(ry, y);
    assert!(styled(other, mono.search_hit));
    assert!(
        !other.modifier.contains(Modifier::UNDERLINED),
        "only the current match underlined"
    );
    assert!(styled(&buf[(rx, ry)], mono.selected), "selected lines reversed");
    let (ux, uy) = find(&term, "web-1 app GET /cart");
    assert!(
        !buf[(ux + 10, uy)].modifier.contains(Modifier::REVERSED),
        "an unselected line is plain"
    );
}
