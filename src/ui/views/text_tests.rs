//! Render tests of the document views: colours on buffer cells, masking, search highlight.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use serde_json::json;

use super::render;
use crate::app::action::Action;
use crate::app::text::{Body, Doc, Target};
use crate::cluster::Kind;
use crate::config::theme::Theme;

fn draw(doc: &Doc) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(80, 16)).unwrap();
    term.draw(|f| render(f, f.area(), doc, &Theme::default())).unwrap();
    term.backend().buffer().clone()
}

fn row(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
}

/// The screen position of the first occurrence of `needle`.
fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    for y in 0..buf.area.height {
        let r = row(buf, y);
        if let Some(pos) = r.find(needle) {
            return (r[..pos].chars().count() as u16, y);
        }
    }
    panic!("{needle:?} not on screen");
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn yaml_doc(obj: serde_json::Value, kind: Kind) -> Doc {
    let mut d = Doc::loading(Target {
        kind,
        namespace: "shop".into(),
        name: "x".into(),
        describe: false,
    });
    d.set_body(Body::Yaml(obj));
    d
}

#[test]
fn yaml_keys_strings_numbers_and_comments_are_styled() {
    let obj = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "managedFields": [{"manager": "kubectl"}]},
        "spec": {"replicas": 3, "paused": true}});
    let doc = yaml_doc(obj, Kind::Pod);
    let buf = draw(&doc);
    let (x, y) = find(&buf, "# managedFields hidden");
    assert!(buf[(x, y)].modifier.contains(Modifier::ITALIC));
    assert!(!row(&buf, 3).contains("manager"), "managedFields hidden by default");
    let (x, y) = find(&buf, "apiVersion");
    assert_eq!(buf[(x, y)].fg, Color::Cyan);
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    let (x, y) = find(&buf, "web");
    assert_eq!(buf[(x, y)].fg, Color::Green);
    let (x, y) = find(&buf, "3");
    assert_eq!(buf[(x, y)].fg, Color::Magenta);
    let (x, y) = find(&buf, "true");
    assert_eq!(buf[(x, y)].fg, Color::Magenta);
}

#[test]
fn managed_fields_toggle_with_m() {
    let obj = json!({"kind": "Pod", "metadata": {"name": "web", "managedFields": [{"manager": "kubectl-edit"}]}});
    let mut doc = yaml_doc(obj, Kind::Pod);
    assert!(!doc.lines.iter().any(|l| l.contains("kubectl-edit")));
    assert!(doc.act(Action::ToggleManaged, 10));
    assert!(doc.lines.iter().any(|l| l.contains("kubectl-edit")));
}

#[test]
fn secret_values_are_masked_until_revealed() {
    let obj = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
        "data": {"password": "aHVudGVyMg=="}, "type": "Opaque"});
    let mut doc = yaml_doc(obj, Kind::Pod);
    let screen: String = (0..16).map(|y| row(&draw(&doc), y)).collect();
    assert!(screen.contains("password: ••••••"), "{screen}");
    assert!(!screen.contains("aHVudGVyMg") && !screen.contains("hunter2"));
    let buf = draw(&doc);
    let (x, y) = find(&buf, "••••••");
    assert_eq!(buf[(x, y)].fg, Color::Yellow);
    assert!(doc.act(Action::ToggleReveal, 10));
    let screen: String = (0..16).map(|y| row(&draw(&doc), y)).collect();
    assert!(screen.contains("password: hunter2"), "{screen}");
}

#[test]
fn search_highlights_matches_and_n_moves_the_current_one() {
    let lines: Vec<String> = (0..40).map(|i| format!("line {i} image: nginx")).collect();
    let mut doc = Doc::loading(Target {
        kind: Kind::Pod,
        namespace: "shop".into(),
        name: "x".into(),
        describe: true,
    });
    doc.set_body(Body::Describe(lines));
    assert!(doc.act(Action::Search, 10));
    for c in "nginx".chars() {
        doc.on_typing_key(&key(KeyCode::Char(c)), 10);
    }
    doc.on_typing_key(&key(KeyCode::Enter), 10);
    assert_eq!(doc.matches.len(), 40);
    let buf = draw(&doc);
    let (x, y) = find(&buf, "nginx");
    assert_eq!(buf[(x, y)].bg, Color::LightRed, "current match");
    assert_eq!(buf[(x, y + 1)].bg, Color::Yellow, "other match");
    assert!(row(&buf, 15).contains("/nginx [1/40]"));
    for _ in 0..20 {
        doc.act(Action::NextMatch, 10);
    }
    assert_eq!(doc.current, 20);
    assert!(
        doc.scroll > 0 && doc.scroll <= 20 && 20 < doc.scroll + 10,
        "match scrolled into view"
    );
    doc.act(Action::PrevMatch, 10);
    assert_eq!(doc.current, 19);
}

#[test]
fn describe_loading_error_and_horizontal_scroll() {
    let mut doc = Doc::loading(Target {
        kind: Kind::Pod,
        namespace: "shop".into(),
        name: "gone".into(),
        describe: true,
    });
    let screen: String = (0..16).map(|y| row(&draw(&doc), y)).collect();
    assert!(screen.contains("Loading describe pods shop/gone"), "{screen}");
    doc.set_body(Body::Failed(
        "Error from server (NotFound): pods \"gone\" not found".into(),
    ));
    let buf = draw(&doc);
    let (x, y) = find(&buf, "Error from server (NotFound)");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    doc.set_body(Body::Describe(vec![
        "Name:  gone".into(),
        "  Warning  BackOff  1m  kubelet  x".into(),
    ]));
    let buf = draw(&doc);
    let (x, y) = find(&buf, "Name:");
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    let (x, y) = find(&buf, "Warning");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    doc.act(Action::ScrollRight, 10);
    assert_eq!(
        row(&draw(&doc), 2).trim_end_matches(['│', ' ']),
        "│g  BackOff  1m  kubelet  x"
    );
}

#[test]
fn an_emoji_row_with_piled_combining_accents_keeps_its_right_border() {
    let mut d = Doc::loading(Target {
        kind: Kind::Pod,
        namespace: "shop".into(),
        name: "x".into(),
        describe: true,
    });
    let zalgo = format!(
        "Annotations:  note: {}",
        "😀\u{301}\u{302}\u{303}\u{304}\u{305}".repeat(800)
    );
    let piled = format!("Labels:       x={}", format!("e{}", "\u{301}".repeat(800)).repeat(3));
    d.set_body(Body::Describe(vec![zalgo, piled, "Name:  x".into()]));
    let mut s = crate::test_util::connected("kind", "shop", false);
    s.stack
        .push(crate::app::state::View::new(crate::app::state::ViewKind::Doc(
            Box::new(d),
        )));
    let buf = crate::test_util::draw(&s, 80, 16, 0);
    for y in 3..6 {
        assert_eq!(
            buf[(79, y)].symbol(),
            "│",
            "row {y} lost its right border:\n{}",
            crate::test_util::text(&buf)
        );
    }
    for cell in buf.content.iter() {
        let marks = cell
            .symbol()
            .chars()
            .filter(|c| ('\u{300}'..='\u{36f}').contains(c))
            .count();
        assert!(
            marks <= crate::ui::clean::MAX_MARKS,
            "a cell carries {marks} combining marks: terminals keep a few and spill the rest"
        );
    }
}
