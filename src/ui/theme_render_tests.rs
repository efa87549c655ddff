//! Screens in the `ansi16` and `mono` themes, and help and footer generated from the active keymap.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use serde_json::json;

use crate::app::action::KeyScope;
use crate::app::state::{State, View, ViewKind};
use crate::app::table::Row;
use crate::app::text::{Body, Doc, Target};
use crate::app::{Input, update};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::config::keymap;
use crate::config::theme::{self, Theme};

const NOW: i64 = 1_700_000_000;

fn draw(state: &State, theme: &Theme, w: u16, h: u16) -> Buffer {
    crate::test_util::draw_themed(state, theme, w, h, NOW)
}

fn text(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    for (y, line) in text(buf).iter().enumerate() {
        if let Some(pos) = line.find(needle) {
            return (line[..pos].chars().count() as u16, y as u16);
        }
    }
    panic!("{needle:?} not on screen:\n{}", text(buf).join("\n"))
}

fn pod(name: &str, status: &str, warn: bool) -> Row {
    Row {
        key: name.into(),
        namespace: "shop".into(),
        name: name.into(),
        cells: ["1/1", status, "0", "", "10.0.0.5", "node-1", "<none>", "<none>"]
            .map(Into::into)
            .to_vec(),
        stamps: vec![None, None, None, Some(NOW - 60), None, None, None, None].into(),
        created: Some(NOW - 60),
        warn,
        ..Default::default()
    }
}

/// Connected to `shop`, three pods, the middle one crash-looping, cursor on the first.
fn pods() -> State {
    let mut s = crate::test_util::connected("demo", "shop", true);
    let rows = vec![
        pod("api-1", "Running", false),
        pod("api-2", "CrashLoopBackOff", true),
        pod("web-1", "Running", false),
    ];
    update(
        &mut s,
        Input::Rows {
            watch: (Kind::Pod, Scope::Namespace("shop".into())),
            rows: Some(rows.into_iter().map(std::sync::Arc::new).collect()),
            status: WatchStatus::Ready,
        },
    );
    s
}

fn cells(buf: &Buffer) -> impl Iterator<Item = &ratatui::buffer::Cell> {
    buf.content.iter()
}

#[test]
fn pods_in_mono_have_no_colour_and_lose_no_state() {
    let s = pods();
    let buf = draw(&s, &theme::builtin("mono").unwrap(), 120, 12);
    assert!(
        cells(&buf).all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "a mono screen sets no colour"
    );
    let screen = text(&buf).join("\n");
    // Every state is a word or a glyph as well: connection, watch, read-only, the failing pod.
    for word in ["● connected", "● live", "readonly", "CrashLoopBackOff", "pods [3/3]"] {
        assert!(screen.contains(word), "{word:?} missing:\n{screen}");
    }
    let (x, y) = find(&buf, "api-1");
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED), "cursor row reversed");
    let (x, y) = find(&buf, "api-2");
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD), "row in trouble bold");
    let (x, y) = find(&buf, "web-1");
    assert!(buf[(x, y)].modifier.is_empty(), "a healthy row is plain");
}

#[test]
fn pods_and_yaml_in_ansi16_use_only_the_sixteen_colours() {
    let ansi = theme::builtin("ansi16").unwrap();
    let sixteen = |c: &Color| !matches!(c, Color::Rgb(..) | Color::Indexed(_));
    let s = pods();
    let buf = draw(&s, &ansi, 120, 12);
    assert!(cells(&buf).all(|c| sixteen(&c.fg) && sixteen(&c.bg)));
    let (x, y) = find(&buf, "api-2");
    assert_eq!(buf[(x, y)].fg, Color::Yellow, "ansi16 warn");
    let (x, y) = find(&buf, "NAME");
    assert_eq!(buf[(x, y)].fg, Color::Blue, "ansi16 header");

    let mut s = pods();
    let mut doc = Doc::loading(Target {
        kind: Kind::Pod,
        namespace: "shop".into(),
        name: "api-2".into(),
        describe: false,
    });
    doc.set_body(Body::Yaml(
        json!({"kind": "Pod", "metadata": {"name": "api-2"}, "spec": {"replicas": 3}}),
    ));
    s.stack.push(View::new(ViewKind::Doc(Box::new(doc))));
    let buf = draw(&s, &ansi, 100, 14);
    assert!(cells(&buf).all(|c| sixteen(&c.fg) && sixteen(&c.bg)));
    let (x, y) = find(&buf, "replicas");
    assert_eq!(buf[(x, y)].fg, Color::Blue);
    assert!(
        buf[(x, y)].modifier.contains(Modifier::BOLD),
        "keys are bold, not only blue"
    );
}

#[test]
fn light_theme_degrades_on_a_16_colour_terminal() {
    let light = theme::builtin("light").unwrap().degrade(theme::Depth::Ansi16);
    let buf = draw(&pods(), &light, 120, 12);
    assert!(cells(&buf).all(|c| !matches!(c.fg, Color::Rgb(..) | Color::Indexed(_))));
}

/// The expected help entries straight from the keymap: (keys, description) per action.
/// What help should list on `s`'s screen: the bindings of `scope` that apply there.
fn expected(s: &State, scope: KeyScope) -> Vec<(String, String)> {
    let mut out: Vec<(crate::app::Action, Vec<String>, String)> = Vec::new();
    let shown = |b: &&crate::app::keys::Binding| {
        !(s.safety.readonly && b.action.mutating()) && crate::app::applies::applies(s, b.action)
    };
    for b in s.keymap.active(scope).filter(shown) {
        match out.iter_mut().find(|(a, ..)| *a == b.action) {
            Some((_, keys, _)) => keys.push(b.label()),
            None => out.push((b.action, vec![b.label()], b.help.clone())),
        }
    }
    out.into_iter().map(|(_, k, h)| (k.join(" "), h)).collect()
}

#[test]
fn help_lists_exactly_the_active_keymap_for_the_screen() {
    for name in ["default", "vim"] {
        let km = keymap::builtin(name).unwrap();
        for (doc, readonly) in [(false, true), (false, false), (true, true)] {
            let mut s = pods();
            s.safety.readonly = readonly;
            s.keymap = km.clone();
            if doc {
                let d = Doc::loading(Target {
                    kind: Kind::Pod,
                    namespace: "shop".into(),
                    name: "api-1".into(),
                    describe: true,
                });
                s.stack.push(View::new(ViewKind::Doc(Box::new(d))));
            }
            s.help = true;
            let scope = if doc { KeyScope::Document } else { KeyScope::Table };
            let want = expected(&s, scope);
            if readonly && !doc {
                assert!(
                    want.iter().all(|(_, h)| h != "scale"),
                    "read-only help lists no action that writes"
                );
            }
            // Tall enough for the whole help (it scrolls on a shorter screen).
            let buf = draw(&s, &Theme::default(), 140, 50);
            let screen = text(&buf);
            // Each entry is "<keys right-aligned>  <description>" in one of two columns.
            for (keys, help) in &want {
                let entry = format!("{keys}  {help}");
                assert!(
                    screen.iter().any(|l| l.contains(&entry)),
                    "{name}/{scope:?}: {entry:?} missing:\n{}",
                    screen.join("\n")
                );
            }
            let listed: usize = screen
                .iter()
                .map(|l| want.iter().filter(|(k, h)| l.contains(&format!("{k}  {h}"))).count())
                .sum();
            assert_eq!(listed, want.len(), "{name}/{scope:?}: each action once");
            assert!(screen.iter().any(|l| l.contains(&format!("help: {name} keys"))));
            // Nothing of another screen: table-only actions are not offered in a document, and back.
            let other = if doc { "filter" } else { "next match" };
            assert!(
                !screen.iter().any(|l| l.contains(other)),
                "{name}/{scope:?} lists {other}"
            );
        }
    }
}

#[test]
fn footer_hints_come_from_the_active_keymap() {
    let mut s = pods();
    s.keymap = keymap::builtin("vim").unwrap();
    let screen = text(&draw(&s, &Theme::default(), 160, 12));
    let footer = screen.last().unwrap();
    assert!(
        footer.contains("<g y> yaml") && footer.contains("<K> describe"),
        "{footer}"
    );
    assert!(footer.contains("<g w> wide: off"), "{footer}");
    s.keymap = keymap::builtin("default").unwrap();
    let screen = text(&draw(&s, &Theme::default(), 160, 12));
    let footer = screen.last().unwrap();
    assert!(
        footer.contains("<y> yaml") && footer.contains("<d> describe"),
        "{footer}"
    );
}

/// Bytes a terminal would have been sent, kept where the test can read them.
#[derive(Clone, Default)]
struct Written(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Written {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The colour parameters of every SGR sequence in `out`.
fn sgr_colours(out: &str) -> Vec<String> {
    let mut found = Vec::new();
    for seq in out.split('\x1b').filter_map(|s| s.strip_prefix('[')) {
        let Some(params) = seq.split_once('m').map(|(p, _)| p) else {
            continue;
        };
        if params.chars().all(|c| c.is_ascii_digit() || c == ';') {
            found.extend(params.split(';').map(str::to_string));
        }
    }
    found
}

#[test]
fn ansi16_on_a_16_colour_terminal_writes_16_colour_codes() {
    use ratatui::layout::Rect;
    use ratatui::{Terminal, TerminalOptions, Viewport};
    // TERM=xterm: the theme as a 16-colour terminal gets it, drawn by the backend kubedeck uses.
    let depth = theme::detect_depth(|k| (k == "TERM").then(|| "xterm".to_string()));
    assert_eq!(depth, theme::Depth::Ansi16);
    let ansi = theme::builtin("ansi16").unwrap().degrade(depth);
    let viewport = Viewport::Fixed(Rect::new(0, 0, 120, 12));
    let written = Written::default();
    let backend = crate::tui::backend(written.clone());
    let mut term = Terminal::with_options(backend, TerminalOptions { viewport }).unwrap();
    let s = pods();
    term.draw(|f| crate::ui::draw_with(f, &s, &ansi, NOW)).unwrap();
    let out = String::from_utf8(written.0.borrow().clone()).unwrap();
    assert!(
        !out.contains("38;5;") && !out.contains("48;5;"),
        "256-colour codes written"
    );
    let colours = sgr_colours(&out);
    // Yellow (warn, the CrashLoopBackOff row) and blue (titles) as 16-colour codes.
    assert!(
        colours.iter().any(|c| c == "33") && colours.iter().any(|c| c == "34"),
        "{colours:?}"
    );
    // Attributes (0–29), the 16 colours, the defaults (39, 49, and 59 for the underline colour).
    let sixteen = |c: u32| matches!(c, 0..=37 | 39..=47 | 49 | 59 | 90..=97 | 100..=107);
    assert!(
        colours.iter().all(|c| c.parse::<u32>().is_ok_and(sixteen)),
        "{colours:?}"
    );
}
