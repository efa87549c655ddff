//! A hostile log line against the real reader and the real drawing: one line of 20 MB costs what
//! 64 KiB cost, and no frame (update + draw) takes over 100 ms of the test thread's CPU time while
//! it is received, wrapped and navigated (CPU time: other builds sharing the machine do not count).

mod common;

use std::time::Duration;

use kubedeck::bench_support::thread_cpu;

use common::{cluster_with_ns, eventually, running_pod};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubedeck::app::logs::{LogView, next_session};
use kubedeck::app::state::{State, View, ViewKind};
use kubedeck::app::{Effect, Input, update};
use kubedeck::cluster::logs::{self, Event, LINE_CAP, Params, Tagged, Target};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sim::Origin;
use sim::res;
use tokio::sync::mpsc;

/// The limit every frame must keep, generous for a loaded 2-core machine and a debug build; the
/// code before the cap took minutes for one frame of this line.
const FRAME_LIMIT: Duration = Duration::from_millis(100);

fn key(c: KeyCode) -> Input {
    Input::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn screen(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

/// Update and draw as the event loop does, returning the CPU time that took on this thread.
fn frame(state: &mut State, term: &mut Terminal<TestBackend>, input: Option<Input>) -> Duration {
    let t = thread_cpu();
    if let Some(input) = input {
        update(state, input);
    }
    term.draw(|f| kubedeck::ui::draw(f, state, 0)).unwrap();
    thread_cpu().saturating_sub(t)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_20_mb_line_is_received_wrapped_and_navigated_with_no_frame_over_100_ms() {
    let (c, client) = cluster_with_ns("logs").await;
    c.store()
        .create(res("Pod"), running_pod("dump", 0, 20), Origin::Internal)
        .unwrap();
    c.faults().set_huge_log_line(20 << 20);
    let target = Target::Pod {
        namespace: "logs".into(),
        name: "dump".into(),
        container: None,
    };
    let session = next_session();
    let mut state = State::new(Some("logs".into()), false, kubedeck::config::keymap::default_keymap());
    state.stack.push(View::new(ViewKind::Logs(Box::new(LogView::new(
        target.clone(),
        Params::default(),
        session,
    )))));
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    update(&mut state, Input::Resize(40));
    let (tx, mut rx) = mpsc::channel::<Tagged>(256);
    let cancel = logs::start(client, target, Params::default(), session, tx);

    let mut frames = Vec::new();
    let mut cut_seen = false;
    // Receive: every batch is one frame, as in the event loop.
    eventually(60, "the 20 MB line arrives, cut", || {
        let mut batch = Vec::new();
        while let Ok(item) = rx.try_recv() {
            if let (_, Event::Lines(ls)) = &item {
                for l in ls {
                    assert!(l.text.len() <= LINE_CAP, "a line keeps at most the cap");
                    cut_seen |= l.cut > 0;
                }
            }
            batch.push(item);
        }
        if !batch.is_empty() {
            frames.push(frame(&mut state, &mut term, Some(Input::Logs(batch))));
        }
        std::future::ready(cut_seen.then_some(()))
    })
    .await;
    // Put the cursor on it (from the top, search forward), then wrap it and walk over it and around it.
    let mut keys = vec![KeyCode::Char('g'), KeyCode::Char('/')];
    keys.extend("state dump".chars().map(KeyCode::Char));
    keys.push(KeyCode::Enter);
    for k in keys {
        frames.push(frame(&mut state, &mut term, Some(key(k))));
    }
    let shown = screen(&term);
    assert!(
        shown.contains("line cut at 64 KiB, 20,905,984 more bytes") && shown.contains("more bytes"),
        "the status line says the cursor line is cut:\n{shown}"
    );
    let keys = [
        KeyCode::Char('w'),
        KeyCode::Char('j'),
        KeyCode::Char('k'),
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Char('n'),
        KeyCode::Char('N'),
        KeyCode::Char('J'),
        KeyCode::Char('J'),
        KeyCode::Char('J'),
        KeyCode::Char('t'),
        KeyCode::Char('G'),
        KeyCode::Char('k'),
        KeyCode::Char('w'),
        KeyCode::Char('L'),
        KeyCode::Char('L'),
        KeyCode::Char('H'),
        KeyCode::Char('g'),
    ];
    for k in keys {
        frames.push(frame(&mut state, &mut term, Some(key(k))));
    }
    // Filter with it in the buffer.
    frames.push(frame(&mut state, &mut term, Some(key(KeyCode::Char('i')))));
    for ch in "xyz-A".chars() {
        frames.push(frame(&mut state, &mut term, Some(key(KeyCode::Char(ch)))));
    }
    frames.push(frame(&mut state, &mut term, Some(key(KeyCode::Enter))));
    let shown = screen(&term);
    assert!(shown.contains("1 of "), "only the dump passes the filter:\n{shown}");
    // The whole line, saved on a key: read again from the server and streamed to a file.
    for k in [KeyCode::Esc, KeyCode::Char('g')] {
        update(&mut state, key(k));
    }
    let mut keys = vec![KeyCode::Char('/')];
    keys.extend("state dump".chars().map(KeyCode::Char));
    keys.extend([KeyCode::Enter, KeyCode::Char('W')]);
    let mut effects = Vec::new();
    for k in keys {
        effects = update(&mut state, key(k));
    }
    let [
        Effect::SaveLine {
            path,
            whole: Some(whole),
            ..
        },
    ] = &effects[..]
    else {
        panic!("W on a cut line reads it again: {effects:?}")
    };
    assert!(path.starts_with("dump-app-") && path.ends_with(".log"), "{path}");
    let dir = std::env::temp_dir().join(format!("kubedeck-wholeline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(path);
    let _ = std::fs::remove_file(&file);
    let n = kubedeck::cluster::logs::whole::save(c.client().await.unwrap(), whole, &file)
        .await
        .unwrap();
    let saved = std::fs::read(&file).unwrap();
    assert_eq!(n, 20 << 20);
    assert_eq!(saved.len() as u64, n + 1, "the line and its newline");
    assert!(saved == format!("{}\n", sim::huge_line(20 << 20)).into_bytes());
    let again = kubedeck::cluster::logs::whole::save(c.client().await.unwrap(), whole, &file).await;
    assert!(again.unwrap_err().contains("exists: not overwritten"));
    let _ = std::fs::remove_dir_all(&dir);
    cancel.cancel();
    let worst = frames.iter().max().copied().unwrap_or_default();
    eprintln!(
        "{} frames, worst {worst:?}, total {:?}",
        frames.len(),
        frames.iter().sum::<Duration>()
    );
    assert!(
        worst < FRAME_LIMIT,
        "worst frame {worst:?} (limit {FRAME_LIMIT:?}) over {} frames",
        frames.len()
    );
}
