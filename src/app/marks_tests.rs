//! Key-flow and render tests of marks: `space` marks rows on any table, the title counts them,
//! they survive filtering and go with the view, and delete acts on all of them with one
//! confirmation listing them, each result reported.

use crossterm::event::KeyCode;

use super::anykind_tests::{ALL_VERBS, custom, showing, typed};
use super::dialog::Dialog;
use super::effect::Effect;
use super::event::Input;
use super::update::{key, update};
use crate::cluster::Kind;
use crate::cluster::ops::{ObjRef, Op, Propagation, Success};
use crate::test_util;

fn widgets() -> Kind {
    custom("example.com", "Widget", "widgets", ALL_VERBS, &[])
}

fn marked(s: &super::state::State) -> Vec<String> {
    s.top().table.marked().iter().map(|r| r.name.to_string()).collect()
}

#[test]
fn space_marks_and_unmarks_and_marks_survive_a_filter_and_go_with_the_view() {
    let mut s = showing(widgets(), &["a", "b", "c", "d"], false);
    typed(&mut s, " ");
    typed(&mut s, "j");
    typed(&mut s, "j");
    typed(&mut s, " ");
    assert_eq!(marked(&s), ["a", "c"]);
    typed(&mut s, " ");
    assert_eq!(marked(&s), ["a"], "space again unmarks");
    typed(&mut s, "j");
    typed(&mut s, " ");
    // A filter hides c but keeps its mark; clearing it shows it marked still.
    typed(&mut s, "/");
    typed(&mut s, "cell-a");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.top().table.visible.len(), 1);
    assert_eq!(marked(&s), ["a", "d"]);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(marked(&s), ["a", "d"]);
    // A marked row that leaves the list leaves the marks.
    super::anykind_tests::rows_of(&mut s, widgets(), &["a", "b", "c"]);
    assert_eq!(marked(&s), ["a"]);
    // Leaving the list for another (`:`) leaves its marks behind.
    typed(&mut s, ":");
    typed(&mut s, "pods");
    update(&mut s, key(KeyCode::Enter));
    assert!(s.top().table.marks.is_empty());
}

#[test]
fn delete_acts_on_every_marked_row_with_one_confirmation_listing_them() {
    let kind = widgets();
    let mut s = showing(kind, &["a", "b", "c"], false);
    typed(&mut s, " ");
    typed(&mut s, "G");
    typed(&mut s, " ");
    typed(&mut s, "D");
    let Some(Dialog::Delete(d)) = &s.dialog else {
        panic!("no delete dialog")
    };
    assert_eq!((d.target.name.as_str(), d.more.len()), ("a", 1));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Enter));
    let Some(Dialog::Confirm(c)) = &s.dialog else {
        panic!("no confirmation")
    };
    assert_eq!(
        c.lines,
        [
            "Delete (cascade orphan): 2 widgets in context prod:",
            "  shop/a",
            "  shop/c"
        ]
    );
    let effects = typed(&mut s, "y");
    let op = Op::Delete {
        propagation: Propagation::Orphan,
        grace: None,
    };
    let sent = |name: &str| Effect::Mutate {
        target: ObjRef::new(kind, "shop", name),
        op: op.clone(),
    };
    assert_eq!(effects, [sent("a"), sent("c")]);
    assert!(s.top().table.marks.is_empty(), "done with");
    // Each result is reported on its own.
    for (name, result) in [
        (
            "a",
            Ok(Success::changed("widget.example.com \"a\" deleted from shop namespace")),
        ),
        ("c", Err("Error from server (Forbidden): no".to_string())),
    ] {
        update(
            &mut s,
            Input::Done {
                target: ObjRef::new(kind, "shop", name),
                op: op.clone(),
                result,
            },
        );
    }
    let toasts: Vec<(&str, bool)> = s.toasts.iter().map(|t| (t.text.as_str(), t.error)).collect();
    assert_eq!(
        toasts,
        [
            ("widget.example.com \"a\" deleted from shop namespace", false),
            ("Error from server (Forbidden): no", true)
        ]
    );
}

#[test]
fn a_protected_context_wants_the_number_typed_and_readonly_refuses() {
    let mut s = showing(widgets(), &["a", "b"], false);
    s.safety.protected = true;
    typed(&mut s, " ");
    typed(&mut s, "j");
    typed(&mut s, " ");
    typed(&mut s, "D");
    update(&mut s, key(KeyCode::Enter));
    let Some(Dialog::Confirm(c)) = &s.dialog else {
        panic!("no confirmation")
    };
    assert_eq!(
        c.lines.last().unwrap(),
        "Context prod is protected: type 2 (the number of objects) and press enter"
    );
    typed(&mut s, "a");
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "a name is not the number"
    );
    update(&mut s, key(KeyCode::Backspace));
    typed(&mut s, "2");
    assert_eq!(update(&mut s, key(KeyCode::Enter)).len(), 2);

    let mut s = showing(widgets(), &["a", "b"], true);
    typed(&mut s, " ");
    assert_eq!(marked(&s), ["a"], "marking changes nothing on the cluster");
    assert!(typed(&mut s, "D").is_empty());
    assert!(s.dialog.is_none());
    assert!(s.toasts.last().unwrap().text.contains("read-only"));
}

#[test]
fn marked_rows_are_drawn_with_a_mark_and_counted_in_the_title() {
    let mut s = showing(widgets(), &["alpha", "beta", "gamma"], false);
    typed(&mut s, " ");
    typed(&mut s, "G");
    typed(&mut s, " ");
    let text = test_util::text(&test_util::draw(&s, 70, 12, 0));
    assert!(text.contains(" widgets(shop) [2 marked] "), "{text}");
    let line = |name: &str| text.lines().find(|l| l.contains(name)).unwrap().to_string();
    assert!(line("alpha").contains("●  alpha"), "{text}");
    assert!(!line("beta").contains('●'), "{text}");
    assert!(line("gamma").contains("●  gamma"), "{text}");
    typed(&mut s, "D");
    let text = test_util::text(&test_util::draw(&s, 70, 16, 0));
    assert!(text.contains("delete 2 widgets"), "{text}");
    assert!(text.contains("Delete the marked 2 widgets in context prod:"), "{text}");
    assert!(text.contains("shop/alpha") && text.contains("shop/gamma"), "{text}");
}
