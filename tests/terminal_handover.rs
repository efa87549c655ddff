//! Handing the terminal over to a session and taking it back, on a real pseudo-terminal: the
//! dashboard's input reader lets go of standard input (a session reads a line typed while it runs),
//! the session gets the terminal's own cooked mode, and raw mode, the alternate screen, the hidden
//! cursor, bracketed paste and mouse capture all come back, after a panicking session too.

#[path = "common/pty.rs"]
mod pty;

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;

use kubedeck::app::Input;
use kubedeck::exec::Executor;
use kubedeck::exec::terminal::{Dashboard, HandOver, TerminalSession, next_event};
use kubedeck::tui::Tui;
use pty::{Pty, key, line_mode, read, scratch, script_available, wait_for};
use tokio::sync::mpsc;

struct Panics;

impl TerminalSession for Panics {
    fn kind(&self) -> &'static str {
        "editor"
    }
    fn run(&self) -> Result<(), String> {
        panic!("boom")
    }
}

/// Says it started, then reads one line from standard input, as a shell would.
struct ReadsALine(PathBuf);

impl TerminalSession for ReadsALine {
    fn kind(&self) -> &'static str {
        "shell"
    }
    fn run(&self) -> Result<(), String> {
        let mode = line_mode();
        std::fs::write(self.0.join("session"), mode).map_err(|e| e.to_string())?;
        // Busy while the line is typed, as a shell starting up would be: a reader that still
        // polled standard input would take the line before this reads it.
        while !self.0.join("typed").exists() {
            std::thread::sleep(Duration::from_millis(10));
        }
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        std::fs::write(self.0.join("line"), line.trim_end()).map_err(|e| e.to_string())
    }
}

/// Not a test on its own: the program the next test runs under a pseudo-terminal. It takes the
/// terminal as kubedeck does, hands it over twice (a panicking session, then one reading a line)
/// and reads a key after each, writing what it saw to files in the scratch directory.
#[test]
fn hand_over_child() {
    let Ok(dir) = std::env::var("KUBEDECK_HANDOVER_CHILD") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut exec = Executor::new(tx, mpsc::channel(1).0, kubedeck::clipboard::Target::Osc52);
        let mut tui = Tui::init(true).expect("a terminal");
        let mut events = Some(crossterm::event::EventStream::new());
        std::fs::write(dir.join("ready"), "").unwrap();
        // The reader is running (it took this key) before the first hand-over.
        assert_eq!(key(&mut events).await, 'a');
        // Left waiting, as the loop's `select!` leaves it when another branch wins: crossterm's
        // thread now polls standard input, and would take what a session is typed.
        let waiting = tokio::time::timeout(Duration::from_millis(50), next_event(&mut events)).await;
        assert!(waiting.is_err(), "no key was typed");
        let mut screen = Dashboard {
            tui: &mut tui,
            events: &mut events,
        };
        exec.hand_over(&mut screen, HandOver::new(Panics)).await.unwrap();
        let error = match rx.try_recv() {
            Ok(Input::Error(e)) => e,
            other => format!("no error input: {other:?}"),
        };
        std::fs::write(dir.join("error"), error).unwrap();
        let mut screen = Dashboard {
            tui: &mut tui,
            events: &mut events,
        };
        exec.hand_over(&mut screen, HandOver::new(ReadsALine(dir.clone())))
            .await
            .unwrap();
        std::fs::write(dir.join("back"), line_mode()).unwrap();
        // A new reader: one key, no Enter, in raw mode.
        let got = key(&mut events).await;
        std::fs::write(dir.join("key"), got.to_string()).unwrap();
        drop(tui);
    });
}

#[test]
fn a_handed_over_terminal_comes_back_exactly_even_after_a_panic() {
    if !script_available() {
        eprintln!("skipped: `script` (util-linux) is needed to make a pseudo-terminal");
        return;
    }
    let dir = scratch("handover");
    let me = std::env::current_exe().unwrap();
    let mut pty = Pty::start(
        &dir,
        &me,
        &["--exact", "hand_over_child", "--nocapture", "--test-threads", "1"],
        &[("KUBEDECK_HANDOVER_CHILD", dir.to_str().unwrap())],
    );
    wait_for(30, "the child ready", || read(&dir, "ready"));
    pty.type_keys("a");
    let error = wait_for(30, "the panicking session's error", || read(&dir, "error"));
    assert_eq!(error, "editor crashed: boom");
    let mode = wait_for(30, "the second session", || read(&dir, "session"));
    assert_eq!(mode, "cooked", "the session gets the terminal's own mode");
    // Typed while the session runs: the session reads it, not the dashboard's dropped reader.
    pty.type_keys("hello\r");
    std::fs::write(dir.join("typed"), "").unwrap();
    assert_eq!(wait_for(30, "the line read", || read(&dir, "line")), "hello");
    assert_eq!(wait_for(30, "the dashboard back", || read(&dir, "back")), "raw");
    pty.type_keys("z");
    assert_eq!(wait_for(30, "the key after", || read(&dir, "key")), "z");

    let leave = "\x1b[?1006l\x1b[?1015l\x1b[?1003l\x1b[?1002l\x1b[?1000l\x1b[?2004l\x1b[?1049l\x1b[?25h";
    let enter = "\x1b[?1049h\x1b[?2004h\x1b[?25l\x1b[?1000h\x1b[?1002h\x1b[?1003h\x1b[?1015h\x1b[?1006h";
    // Start, two hand-overs each left and entered again, and the exit: as many leaves as enters,
    // each leave after its enter.
    wait_for(30, "three enters and three leaves", || {
        let out = pty.output();
        (out.matches(leave).count() == 3).then_some(())
    });
    let out = pty.output();
    assert_eq!(out.matches(enter).count(), 3, "{out:?}");
    let order: Vec<bool> = out
        .match_indices(leave)
        .map(|(i, _)| (i, false))
        .chain(out.match_indices(enter).map(|(i, _)| (i, true)))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .collect();
    assert_eq!(order, [true, false, true, false, true, false], "enter/leave in turn");
}
