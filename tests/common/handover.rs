//! The two halves of a hand-over test on a real pseudo-terminal: the parent test starts this test
//! binary's child test under `script`, the child runs sessions on the dashboard's terminal and
//! writes what each said into the scratch directory. Include with
//! `#[path = "common/handover.rs"] mod handover;` next to `pty`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kubedeck::app::Input;
use kubedeck::exec::Executor;
use kubedeck::exec::terminal::{Dashboard, HandOver};
use kubedeck::tui::Tui;
use tokio::sync::mpsc;

use crate::pty::{Pty, line_mode, scratch, script_available};

/// In the child: the scratch directory its parent named in `var`; None when run as a test of its own.
pub fn child_dir(var: &str) -> Option<PathBuf> {
    std::env::var(var).ok().map(PathBuf::from)
}

/// In the parent: this test binary's test `child` under a pseudo-terminal, `var` naming a fresh
/// scratch directory `name`; None (skipped, said) where `script` is missing outside CI.
pub fn start_child(name: &str, child: &str, var: &str) -> Option<(PathBuf, Pty)> {
    if !script_available() {
        eprintln!("skipped: `script` (util-linux) is needed to make a pseudo-terminal");
        return None;
    }
    let dir = scratch(name);
    let me = std::env::current_exe().unwrap();
    let pty = Pty::start(
        &dir,
        &me,
        &["--exact", child, "--nocapture", "--test-threads", "1"],
        &[(var, dir.to_str().unwrap())],
    );
    Some((dir, pty))
}

/// What the dashboard was told after a session: its notice or error, or what else came.
pub fn said(rx: &mut mpsc::UnboundedReceiver<Input>) -> String {
    match rx.try_recv() {
        Ok(Input::Notice(n)) => format!("notice: {n}"),
        Ok(Input::Error(e)) => format!("error: {e}"),
        other => format!("nothing: {other:?}"),
    }
}

/// The dashboard's terminal, its input reader and what sessions tell it, for the child's steps.
pub struct Screen {
    pub tui: Tui,
    pub events: Option<crossterm::event::EventStream>,
    pub exec: Executor,
    pub rx: mpsc::UnboundedReceiver<Input>,
    pub tx: mpsc::UnboundedSender<Input>,
}

impl Screen {
    /// The dashboard on the pseudo-terminal, in raw mode as the program runs it.
    pub fn new() -> Screen {
        let (tx, rx) = mpsc::unbounded_channel();
        let exec = Executor::new(tx.clone(), mpsc::channel(1).0, kubedeck::clipboard::Target::Osc52);
        Screen {
            tui: Tui::init(true).expect("a terminal"),
            events: Some(crossterm::event::EventStream::new()),
            exec,
            rx,
            tx,
        }
    }

    /// Run `session` on the handed-over terminal, then write what it said and the terminal's mode
    /// after it (`raw` when the dashboard has it back) to `dir/name`.
    pub async fn step(&mut self, dir: &Path, name: &str, session: HandOver) {
        let mut screen = Dashboard {
            tui: &mut self.tui,
            events: &mut self.events,
        };
        self.exec.hand_over(&mut screen, session).await.unwrap();
        std::fs::write(dir.join(name), format!("{} / {}", said(&mut self.rx), line_mode())).unwrap();
    }
}
