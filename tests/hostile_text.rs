//! Text from the cluster with bidi controls and zero-width characters (the `bidi-event` demo fault)
//! never reaches the screen as such: not in the events table, describe, YAML, nor the log view.

mod common;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubedeck::app::{Effect, Input};
use kubedeck::bench_support::Headless;
use kubedeck::cluster::logs::{self, Tagged};
use kubedeck::ui::clean::is_hidden;
use sim::DemoCluster;
use tokio::sync::mpsc;

fn key(c: char) -> Input {
    let code = match c {
        '\r' => KeyCode::Enter,
        '\x1b' => KeyCode::Esc,
        c => KeyCode::Char(c),
    };
    Input::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Type `keys`, returning the effects the headless loop left to perform.
fn typed(h: &mut Headless, keys: &str) -> Vec<Effect> {
    keys.chars().flat_map(|c| h.input(key(c)).unwrap()).collect()
}

/// Frames until the screen shows `needle`, failing after `secs`.
async fn until_shown(h: &mut Headless, secs: u64, needle: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        h.frame().unwrap();
        if h.screen().contains(needle) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {secs}s waiting for {needle:?} on:\n{}",
            h.screen()
        );
        h.changed(Duration::from_millis(100)).await;
    }
}

/// No cell of the frame holds a bidi control or a zero-width character.
fn assert_clean(h: &Headless, view: &str) {
    for cell in h.buffer().content.iter() {
        assert!(
            !cell.symbol().chars().any(is_hidden),
            "{view}: a cell holds {:?}:\n{}",
            cell.symbol(),
            h.screen()
        );
    }
}

/// Perform the fetches (describe, YAML) the way the event loop does.
async fn fetch(h: &mut Headless, effects: Vec<Effect>) {
    for e in effects {
        if let Effect::Fetch {
            kind,
            namespace,
            name,
            describe,
        } = e
        {
            let result = kubedeck::cluster::describe::fetch::fetch(h.client(), kind, &namespace, &name, describe).await;
            let target = kubedeck::app::text::Target {
                kind,
                namespace,
                name,
                describe,
            };
            h.input(Input::Fetched { target, result }).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bidi_and_zero_width_text_never_reaches_the_screen() {
    let c = DemoCluster::start(common::fast_opts()).await.unwrap();
    c.faults().bidi_event();
    let dir = std::env::temp_dir().join(format!("kubedeck-bidi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    c.write_kubeconfig(&kubeconfig).unwrap();
    let mut h = Headless::connect(&kubeconfig, 200, 40).await.unwrap();

    // The events table (MESSAGE column): the override is gone, the text reads in its stored order.
    // Filtered first: with a real cluster's Event volume the event need not be on the first page.
    typed(&mut h, ":ev\r");
    typed(&mut h, "/exe.evil\r");
    until_shown(&mut h, 30, "Back-off pulling image").await;
    until_shown(&mut h, 10, "exe.evil").await;
    assert!(
        h.screen().contains("from registry"),
        "the zero-width space is gone:\n{}",
        h.screen()
    );
    assert_clean(&h, "events");

    // Describe and YAML of that Event.
    let effects = typed(&mut h, "d");
    fetch(&mut h, effects).await;
    until_shown(&mut h, 10, "exe.evil").await;
    assert_clean(&h, "describe");
    typed(&mut h, "\x1b");
    let effects = typed(&mut h, "y");
    fetch(&mut h, effects).await;
    until_shown(&mut h, 10, "message:").await;
    assert_clean(&h, "yaml");
    typed(&mut h, "\x1b");

    // The log view: every log read ends with a line of the same text.
    typed(&mut h, ":po\r");
    until_shown(&mut h, 30, "Running").await;
    let (tx, mut rx) = mpsc::channel::<Tagged>(256);
    let mut tokens = Vec::new();
    for e in typed(&mut h, "l") {
        if let Effect::Logs {
            session,
            target,
            params,
        } = e
        {
            tokens.push(logs::start(h.client(), target, params, session, tx.clone()));
        }
    }
    assert!(!tokens.is_empty(), "l opens a log view");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !h.screen().contains("exe.evil") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no bidi line in the logs:\n{}",
            h.screen()
        );
        if let Ok(Some(first)) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
            let mut batch = vec![first];
            while let Ok(more) = rx.try_recv() {
                batch.push(more);
            }
            h.input(Input::Logs(batch)).unwrap();
        }
    }
    assert_clean(&h, "logs");
    for t in tokens {
        t.cancel();
    }
    h.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
