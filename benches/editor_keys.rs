//! Keystroke latency of the YAML editor on a big object: a ConfigMap of 5,000 lines opened in the
//! editor, then keys typed as a user types them (characters, enter, backspace, arrows, page moves,
//! undo), each measured from the key to the frame drawn (`update` plus a full draw on a 160×48
//! TestBackend). Prints p50, p99 and the worst, against the 16 ms of a 60 Hz frame.
//!
//! Run: `cargo bench --bench editor_keys`; `EDITOR_KEYS=N` keystrokes (default 3,000),
//! `EDITOR_LINES=N` lines (default 5,000).

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubedeck::app::edit::{Reply, flow};
use kubedeck::app::{Input, State, update};
use kubedeck::cluster::Kind;
use kubedeck::cluster::ops::ObjRef;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let lines = env("EDITOR_LINES", 5_000);
    let keys = env("EDITOR_KEYS", 3_000);
    let mut state = State::new(Some("big".into()), false, kubedeck::config::keymap::default_keymap());
    update(
        &mut state,
        Input::Connected {
            context: "bench".into(),
            namespace: "big".into(),
            url: "https://x".into(),
        },
    );
    let target = ObjRef::new(Kind::Deployment, "big", "settings");
    // About ten lines of header; the rest one key each.
    let data: serde_json::Map<String, serde_json::Value> = (0..lines.saturating_sub(10))
        .map(|i| {
            (
                format!("key-{i:05}"),
                json!(format!("value number {i} of a big config map")),
            )
        })
        .collect();
    let object = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "big", "resourceVersion": "1"}, "data": data});
    flow::open(&mut state, Some(target.clone()), false);
    update(
        &mut state,
        Input::Edit(Box::new(Reply::Fetched {
            target,
            result: Ok(object),
            recovered: None,
        })),
    );
    let mut term = Terminal::new(TestBackend::new(160, 48)).expect("a test terminal");
    let script = [
        KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::End, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('k'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char(':'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Down, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Up, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
    ];
    let mut took: Vec<Duration> = Vec::with_capacity(keys);
    for i in 0..keys {
        let key = script[i % script.len()];
        let t = Instant::now();
        update(&mut state, Input::Key(key));
        term.draw(|f| kubedeck::ui::draw(f, &state, 0)).expect("a frame");
        took.push(t.elapsed());
    }
    took.sort();
    let at = |q: f64| took[((took.len() as f64 - 1.0) * q) as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p99 = at(0.99);
    println!(
        "editor keystroke → frame on {lines} lines, {keys} keys: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} the 16 ms budget)",
        ms(at(0.5)),
        ms(p99),
        ms(*took.last().expect("keys were typed")),
        if p99 <= Duration::from_millis(16) {
            "within"
        } else {
            "OVER"
        }
    );
}
