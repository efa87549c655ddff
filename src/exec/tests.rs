//! The executor: sessions are listed, stopped by an effect or when their screen goes, and a terminal
//! hand-over gives the terminal back exactly, even when the session panics.

use std::collections::HashSet;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::session::{Asked, Base, Ctx, Hold, Session, Sessions};
use super::terminal::{HandOver, Screen, TerminalSession};
use super::{Executor, ForLoop};
use crate::app::state::{View, ViewKind};
use crate::app::{Effect, Input};
use crate::cluster::client::ConnectOptions;
use crate::cluster::logs::{Params, Target};

/// A screen that writes the real mode sequences to a buffer and tracks raw mode and the reader.
struct Fake {
    out: Vec<u8>,
    raw: bool,
    reading: bool,
    released: Arc<AtomicBool>,
}

impl Fake {
    fn new() -> Fake {
        Fake {
            out: Vec::new(),
            raw: true,
            reading: true,
            released: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Screen for Fake {
    fn release(&mut self) -> io::Result<()> {
        self.reading = false;
        crate::tui::write_leave(&mut self.out, true)?;
        self.raw = false;
        self.released.store(true, Ordering::SeqCst);
        Ok(())
    }

    fn retake(&mut self) -> io::Result<()> {
        self.raw = true;
        crate::tui::write_enter(&mut self.out, true)?;
        self.reading = true;
        self.released.store(false, Ordering::SeqCst);
        Ok(())
    }
}

struct Panics;

impl TerminalSession for Panics {
    fn kind(&self) -> &'static str {
        "editor"
    }
    fn run(&self) -> Result<(), String> {
        panic!("boom")
    }
}

/// Runs only if the dashboard let go of the terminal first.
struct Checks(Arc<AtomicBool>);

impl TerminalSession for Checks {
    fn kind(&self) -> &'static str {
        "shell"
    }
    fn run(&self) -> Result<(), String> {
        if self.0.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err("ran on the dashboard's terminal".into())
        }
    }
}

fn executor() -> (Executor, mpsc::UnboundedReceiver<Input>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (log_tx, _) = mpsc::channel(8);
    (Executor::new(tx, log_tx, crate::clipboard::Target::Osc52), rx)
}

fn leave_then_enter() -> Vec<u8> {
    let mut want = Vec::new();
    crate::tui::write_leave(&mut want, true).unwrap();
    crate::tui::write_enter(&mut want, true).unwrap();
    want
}

#[tokio::test]
async fn a_panicking_hand_over_session_gives_the_terminal_back_and_says_so() {
    let (mut exec, mut rx) = executor();
    let effect = Effect::HandOverTerminal(HandOver::new(Panics));
    let Some(ForLoop::HandOver(session)) = exec.perform(effect, &ConnectOptions::default()) else {
        panic!("the hand-over is the loop's to do");
    };
    let mut screen = Fake::new();
    exec.hand_over(&mut screen, session)
        .await
        .expect("the terminal is back");
    assert_eq!(
        screen.out,
        leave_then_enter(),
        "left and entered dashboard mode exactly once"
    );
    assert!(screen.raw && screen.reading, "raw mode and the input reader are back");
    match rx.try_recv() {
        Ok(Input::Error(e)) => assert_eq!(e, "editor crashed: boom"),
        other => panic!("no error input: {other:?}"),
    }
}

#[tokio::test]
async fn a_hand_over_session_runs_on_the_released_terminal() {
    let (mut exec, mut rx) = executor();
    let mut screen = Fake::new();
    let session = HandOver::new(Checks(screen.released.clone()));
    exec.hand_over(&mut screen, session).await.unwrap();
    assert_eq!(screen.out, leave_then_enter());
    assert!(rx.try_recv().is_err(), "a session that ends well reports nothing");
}

/// A session that runs until stopped and says when its future is dropped.
struct Waits {
    dropped: Option<oneshot::Sender<()>>,
}

impl Drop for Waits {
    fn drop(&mut self) {
        if let Some(tx) = self.dropped.take() {
            let _ = tx.send(());
        }
    }
}

impl Session for Waits {
    const KIND: &'static str = "waits";
    const HOLD: Hold = Hold::Screen;

    fn asked(effect: Effect) -> Result<Asked<Self>, Effect> {
        Err(effect)
    }

    async fn run(self, ctx: Ctx) {
        let _me = self;
        std::future::pending::<()>().await;
        drop(ctx);
    }
}

fn waits() -> (Waits, oneshot::Receiver<()>) {
    let (tx, rx) = oneshot::channel();
    (Waits { dropped: Some(tx) }, rx)
}

fn base() -> Base {
    Base {
        client: None,
        no_retry: None,
        inputs: mpsc::unbounded_channel().0,
        logs: mpsc::channel(1).0,
    }
}

#[tokio::test]
async fn a_screen_held_session_runs_while_held_and_stops_when_released() {
    let mut sessions = Sessions::default();
    let (a, a_gone) = waits();
    let (b, _b_gone) = waits();
    sessions.start(&base(), 7, a);
    sessions.start(&base(), 8, b);
    assert_eq!(sessions.list(), vec![(7, "waits"), (8, "waits")]);
    sessions.release(&HashSet::from([7, 8]));
    assert_eq!(sessions.list().len(), 2, "held sessions keep running");
    sessions.release(&HashSet::from([8]));
    assert_eq!(sessions.list(), vec![(8, "waits")]);
    tokio::time::timeout(Duration::from_secs(10), a_gone)
        .await
        .expect("the released session's task ends")
        .unwrap();
    sessions.stop_all();
    assert!(sessions.list().is_empty());
}

#[tokio::test]
async fn closing_a_log_view_stops_its_stream_through_the_registry() {
    let cluster = sim::DemoCluster::start(Default::default()).await.unwrap();
    let client = cluster.client().await.unwrap();
    let (notices, _n) = mpsc::channel(16);
    let cache = Arc::new(crate::store::cache::Cache::new(
        client.clone(),
        notices,
        Duration::from_secs(60),
    ));
    let (mut exec, _rx) = executor();
    exec.connected(cache.clone(), client);
    let target = Target::Workload {
        kind: crate::cluster::Kind::Deployment,
        namespace: "shop".into(),
        name: "web".into(),
    };
    let session = crate::app::effect::next_session();
    let effect = Effect::Logs {
        session,
        target: target.clone(),
        params: Params::default(),
    };
    assert!(exec.perform(effect, &ConnectOptions::default()).is_none());
    // The log view holding the session, as `update` pushes it.
    let mut state = crate::test_util::connected("demo", "shop", false);
    let view = crate::app::logs::LogView::new(target, Params::default(), session);
    state.stack.push(View::new(ViewKind::Logs(Box::new(view))));
    exec.release(&crate::app::sessions::held(&state));
    assert_eq!(exec.sessions.list(), vec![(session, "logs")]);
    state.stack.pop();
    exec.release(&crate::app::sessions::held(&state));
    assert!(exec.sessions.list().is_empty(), "the stream outlived its view");
    cache.shutdown();
    cluster.stop().await;
}

/// One at a time, like the rollout a panel follows.
struct Single(Waits);

impl Session for Single {
    const KIND: &'static str = "single";
    const ONE_AT_A_TIME: bool = true;

    fn asked(effect: Effect) -> Result<Asked<Self>, Effect> {
        Err(effect)
    }

    async fn run(self, ctx: Ctx) {
        self.0.run(ctx).await
    }
}

#[tokio::test]
async fn a_one_at_a_time_session_replaces_the_one_before() {
    let mut sessions = Sessions::default();
    let (a, a_gone) = waits();
    let (b, _b_gone) = waits();
    sessions.start(&base(), 1, Single(a));
    sessions.start(&base(), 2, Single(b));
    assert_eq!(sessions.list(), vec![(2, "single")]);
    tokio::time::timeout(Duration::from_secs(10), a_gone)
        .await
        .expect("the replaced session's task ends")
        .unwrap();
    // Own sessions are not the screens' to stop.
    sessions.release(&HashSet::new());
    assert_eq!(sessions.list(), vec![(2, "single")]);
    sessions.stop_kind("single");
    assert!(sessions.list().is_empty());
}

#[tokio::test]
async fn each_kind_is_started_by_its_effect_and_reports_back() {
    let (mut exec, mut rx) = executor();
    let dir = std::env::temp_dir().join(format!("kubedeck-exec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shown.log").display().to_string();
    let opts = ConnectOptions::default();
    let save = Effect::Save {
        path: path.clone(),
        text: "one\n".into(),
        lines: 1,
        overwrite: false,
    };
    let node = crate::cluster::ops::ObjRef::new(crate::cluster::Kind::Node, "", "worker-1");
    let drain = Effect::Mutate {
        target: node,
        op: crate::cluster::ops::Op::Drain,
    };
    let line = Effect::SaveLine {
        path: dir.join("line.log").display().to_string(),
        kept: "a line".into(),
        whole: None,
    };
    for effect in [save, drain, line] {
        assert!(
            exec.perform(effect, &opts).is_none(),
            "a session's effect is the executor's"
        );
    }
    let mut said = Vec::new();
    while said.len() < 3 {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(Input::Toast { text, .. } | Input::Error(text))) => said.push(text),
            other => panic!("no report: {other:?} after {said:?}"),
        }
    }
    said.sort();
    assert_eq!(said.len(), 3);
    assert_eq!(said[0], "not connected to a cluster", "{said:?}");
    assert!(said[1].starts_with("saved 1 line(s) to "), "{said:?}");
    assert!(said[2].starts_with("saved the line (6 bytes) to "), "{said:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\n");
    std::fs::remove_dir_all(&dir).unwrap();
}
