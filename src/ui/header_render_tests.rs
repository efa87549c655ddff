//! The header laid out by priority (80 and 180 columns) and the demo cluster's marker and notice.

use ratatui::style::{Color, Modifier};

use crate::app::counts::{Counts, Tally};
use crate::app::demo::Demo;
use crate::app::state::State;
use crate::app::{Input, update};
use crate::test_util;

const NOW: i64 = 1_700_000_000;

/// Connected to `kubedeck-demo` in namespace shop, with a bad node, some failing pods and warnings.
fn busy(demo: Option<Demo>, readonly: bool) -> State {
    let mut s = test_util::connected("kubedeck-demo", "shop", readonly);
    s.server_version = Some("v1.33.4".into());
    s.demo = demo;
    let counts = Counts {
        nodes: Tally::Of { good: 3, total: 4 },
        pods: Tally::Of { good: 20, total: 25 },
        warnings: Tally::Count(5),
        problems: None,
        namespace: Some("shop".into()),
    };
    update(&mut s, Input::Counts(counts));
    s
}

fn top_line(s: &State, width: u16) -> String {
    let out = test_util::text(&test_util::draw(s, width, 24, NOW));
    out.lines().next().unwrap().trim_end().to_string()
}

#[test]
fn at_180_columns_the_header_shows_every_field() {
    let top = top_line(&busy(None, false), 180);
    assert_eq!(
        top,
        "kubedeck  ctx kubedeck-demo  k8s v1.33.4  ns shop  ● connected  nodes ✗ 3/4  pods ✗ 20/25 (shop)  ⚠ 5 warnings/1h"
    );
}

#[test]
fn at_80_columns_the_least_important_fields_give_way_whole() {
    let top = top_line(&busy(None, true), 80);
    // Safety, connection and where you are stay; counts stay whole; the version and name go first.
    for field in [
        "ctx kubedeck-demo",
        "ns shop",
        "● connected",
        "readonly",
        "nodes ✗ 3/4",
        "pods ✗ 20/25",
    ] {
        assert!(top.contains(field), "{field:?} missing: {top}");
    }
    // Nothing is cut mid-field: the name, the version and the warnings gave way whole.
    assert_eq!(
        top,
        "ctx kubedeck-demo  ns shop  readonly  ● connected  nodes ✗ 3/4  pods ✗ 20/25"
    );
}

#[test]
fn the_demo_marker_stays_in_the_header_at_any_width() {
    let s = busy(Some(Demo::asked()), false);
    let wide = top_line(&s, 180);
    assert!(wide.contains(" DEMO CLUSTER — not a real cluster "), "{wide}");
    let narrow = top_line(&s, 80);
    // The marker and the context name shorten before a count leaves.
    assert_eq!(
        narrow,
        " DEMO CLUSTER   kubedeck-demo  ns shop  ● connected  nodes ✗ 3/4  pods ✗ 20/25"
    );
}

#[test]
fn the_demo_marker_is_reverse_video_and_reads_in_mono() {
    let s = busy(Some(Demo::asked()), false);
    let theme = crate::config::theme::builtin("mono").unwrap();
    let buf = test_util::draw_themed(&s, &theme, 180, 24, NOW);
    let top = test_util::text(&buf).lines().next().unwrap().to_string();
    let x = top[..top.find("DEMO").unwrap()].chars().count() as u16;
    let cell = &buf[(x, 0)];
    assert!(cell.modifier.contains(Modifier::REVERSED), "{cell:?}");
    assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "no colour in mono");
}

#[test]
fn the_fallback_notice_says_why_and_how_and_any_key_dismisses_it() {
    let looked = vec![
        "$KUBECONFIG: not set".to_string(),
        "/home/op/.kube/config: not found".to_string(),
    ];
    let mut s = busy(Some(Demo::fallback(looked)), false);
    let out = test_util::text(&test_util::draw(&s, 80, 24, NOW));
    for line in [
        "No kubeconfig was found",
        "$KUBECONFIG: not set",
        "/home/op/.kube/config: not found",
        "kubedeck --kubeconfig FILE",
        "Press any key to continue.",
    ] {
        assert!(out.contains(line), "{line:?} missing:\n{out}");
    }
    // The key that dismisses it does nothing else (here: it does not quit).
    update(&mut s, crate::app::update::key(crossterm::event::KeyCode::Char('q')));
    assert!(!s.quit);
    let out = test_util::text(&test_util::draw(&s, 80, 24, NOW));
    assert!(!out.contains("No kubeconfig was found"), "{out}");
    assert!(out.lines().next().unwrap().contains("DEMO CLUSTER"), "the marker stays");
}

#[test]
fn a_long_connection_error_never_pushes_readonly_off_the_line() {
    let mut s = busy(None, true);
    s.connection = crate::app::state::Connection::Failed("x".repeat(120));
    let top = top_line(&s, 80);
    assert!(top.contains("readonly  ✗ not connected"), "{top}");
}

#[test]
fn at_80_columns_the_problem_counts_outlast_everything_but_demo_context_and_connection() {
    let mut s = busy(Some(Demo::asked()), false);
    let mut counts = s.counts.clone();
    counts.problems = Some([3, 5, 1]);
    update(&mut s, Input::Counts(counts.clone()));
    let wide = top_line(&s, 180);
    assert!(wide.ends_with("⚠ 5 warnings/1h  problems ✖ 3 ⚠ 5 · 1"), "{wide}");
    let narrow = top_line(&s, 80);
    let order = [" DEMO CLUSTER ", "kubedeck-demo", "● connected", "✖ 3 ⚠ 5 · 1"];
    let at: Vec<usize> = order
        .iter()
        .map(|f| narrow.find(f).unwrap_or_else(|| panic!("{f:?} missing: {narrow}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{narrow}");
    // Narrower still: whatever else goes, those four stay.
    let tight = top_line(&s, 60);
    assert!(order.iter().all(|f| tight.contains(f)), "{tight}");
    counts.problems = Some([0, 0, 0]);
    update(&mut s, Input::Counts(counts));
    assert!(top_line(&s, 180).ends_with("problems ✓ 0"));
}
