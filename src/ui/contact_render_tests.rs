//! Render tests of a lost API server: the header's connection state with its age, the counts marked
//! stale, and the list view stale rather than live.

use std::time::{Duration, Instant};

use crate::app::counts::{Counts, Tally};
use crate::app::{Input, update};
use crate::cluster::Kind;
use crate::cluster::Scope;
use crate::cluster::watch::WatchStatus;
use crate::test_util::{self, draw, show, text};

const NOW: i64 = 1_700_000_000;

fn counted() -> crate::app::State {
    let mut s = test_util::connected("prod", "shop", false);
    update(&mut s, Input::ServerVersion("v1.33.1".into()));
    let counts = Counts {
        nodes: Tally::Of { good: 50, total: 50 },
        pods: Tally::Of {
            good: 2064,
            total: 2070,
        },
        warnings: Tally::Count(0),
        problems: None,
        namespace: None,
    };
    update(&mut s, Input::Counts(counts));
    s
}

#[test]
fn a_lost_server_reads_no_contact_with_its_age_and_stale_counts() {
    let mut s = counted();
    let header = |s: &crate::app::State| text(&draw(s, 160, 20, NOW)).lines().next().unwrap().to_string();
    let live = header(&s);
    assert!(
        live.contains("● connected") && live.contains("pods ✗ 2064/2070"),
        "{live}"
    );
    assert!(!live.contains("stale"), "{live}");

    let since = Instant::now() - Duration::from_secs(32);
    update(
        &mut s,
        Input::ContactLost {
            since,
            error: "no answer within 4s".into(),
        },
    );
    let lost = header(&s);
    assert!(lost.contains("✗ no contact 32s (no answer within 4s)"), "{lost}");
    assert!(!lost.contains("connected"), "{lost}");
    assert!(
        lost.contains("pods ✗ 2064/2070") && lost.trim_end().ends_with("(stale)"),
        "{lost}"
    );

    // It answers again: one state, back to connected, counts no longer marked.
    update(&mut s, Input::ServerVersion("v1.33.1".into()));
    let back = header(&s);
    assert!(back.contains("● connected") && !back.contains("stale"), "{back}");
}

#[test]
fn a_view_whose_server_is_lost_says_stale_with_its_age() {
    let mut s = counted();
    let status = WatchStatus::Stale {
        since: Instant::now() - Duration::from_secs(20),
        error: "API server not answering: connection refused".into(),
    };
    let row = running_pod();
    show(&mut s, Kind::Pod, Scope::Namespace("shop".into()), vec![row], status);
    let out = text(&draw(&s, 160, 20, NOW));
    assert!(out.contains("✗ stale 20s"), "{out}");
    assert!(out.contains("API server not answering: connection refused"), "{out}");
    assert!(!out.contains("● live"), "{out}");
}

#[test]
fn with_all_namespaces_home_is_the_contexts_namespace() {
    // `-A` as a user confined to "shop": the header falls back to counting in shop, not "default".
    let mut s = crate::app::State::new(None, false, crate::config::keymap::default_keymap());
    update(
        &mut s,
        Input::Connected {
            context: "jane".into(),
            namespace: "shop".into(),
            url: "https://x".into(),
        },
    );
    assert_eq!((s.namespace.as_deref(), s.home_namespace.as_str()), (None, "shop"));
}

#[test]
fn an_empty_stale_list_says_why_it_is_empty_never_that_a_filter_hid_it() {
    let stale = || WatchStatus::Stale {
        since: Instant::now() - Duration::from_secs(7),
        error: "cannot connect to 127.0.0.1:1: connection refused".into(),
    };
    // Never connected: the watch failed before any list arrived, and no filter is typed.
    let mut s = crate::app::State::new(Some("default".into()), false, crate::config::keymap::default_keymap());
    s.connection = crate::app::state::Connection::Failed("connection refused".into());
    show(&mut s, Kind::Pod, Scope::Namespace("default".into()), vec![], stale());
    let out = text(&draw(&s, 100, 20, NOW));
    assert!(out.contains("Cannot connect to the cluster"), "{out}");
    assert!(!out.contains("match the filter"), "{out}");

    // Connected once, then lost with nothing listed: stale, with its age and cause.
    let mut s = counted();
    show(&mut s, Kind::Pod, Scope::Namespace("shop".into()), vec![], stale());
    let out = text(&draw(&s, 100, 20, NOW));
    assert!(out.contains("No pods to show: connection lost 7s ago"), "{out}");
    assert!(!out.contains("match the filter"), "{out}");

    // Rows hidden by a filter while stale: the stale banner stays above the filter's message.
    let row = running_pod();
    show(&mut s, Kind::Pod, Scope::Namespace("shop".into()), vec![row], stale());
    for c in ['/', 'z', 'z'] {
        update(&mut s, crate::app::update::key(crossterm::event::KeyCode::Char(c)));
    }
    let out = text(&draw(&s, 100, 20, NOW));
    assert!(out.contains("No pods match the filter"), "{out}");
    assert!(out.contains("connection lost 7s ago"), "{out}");
}

/// A running pod's row, shop/web-1.
fn running_pod() -> crate::app::table::Row {
    crate::app::table::Row {
        key: "web-1".into(),
        namespace: "shop".into(),
        name: "web-1".into(),
        cells: ["1/1", "Running", "0", "", "10.0.0.5", "node-1"]
            .map(Into::into)
            .to_vec(),
        ..Default::default()
    }
}
