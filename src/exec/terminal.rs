//! Handing the terminal over to a session that needs it whole (a shell, attach, an external
//! editor), and taking it back exactly as it was.
//!
//! The entry point for such a feature: implement [`TerminalSession`] and return
//! `Effect::HandOverTerminal(HandOver::new(your_session))` from `update`. The loop then
//! 1. drops crossterm's event reader: it reads standard input on a thread of its own and would take
//!    the session's keystrokes, so it is dropped, not paused, and made anew afterwards;
//! 2. leaves dashboard mode: mouse capture, bracketed paste, the alternate screen, the hidden cursor
//!    and raw mode are undone (`tui::write_leave`), so the session starts on the normal screen in
//!    the terminal's own (cooked) mode, free to switch raw mode on itself;
//! 3. runs the session on a blocking thread, catching its panic;
//! 4. enters dashboard mode again whatever the session did or left (`tui::write_enter`, raw mode
//!    on afresh), repaints everything, and reports a failure or panic as an error the user sees.

use std::io;
use std::sync::Arc;

use crossterm::event::{Event, EventStream};
use futures::StreamExt;

use crate::tui::Tui;

/// A session that takes the terminal for as long as it runs.
pub trait TerminalSession: Send + Sync + 'static {
    /// What it is, for messages ("editor", "shell").
    fn kind(&self) -> &'static str;

    /// Run to the end on a blocking thread, with standard input and output its own; an `Err` (or a
    /// panic) is shown to the user once the dashboard is back.
    fn run(&self) -> Result<(), String>;

    /// What to tell `update` once it ran to the end (an outside editor's text); None: nothing.
    fn report(&self) -> Option<crate::app::Input> {
        None
    }
}

/// A terminal session as an effect carries it: cloned and compared by identity.
#[derive(Clone)]
pub struct HandOver(pub Arc<dyn TerminalSession>);

impl HandOver {
    /// Wrap a session.
    pub fn new(session: impl TerminalSession) -> HandOver {
        HandOver(Arc::new(session))
    }
}

impl std::fmt::Debug for HandOver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HandOver({})", self.0.kind())
    }
}

impl PartialEq for HandOver {
    fn eq(&self, other: &HandOver) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The dashboard's hold on the terminal, as a hand-over sees it.
pub trait Screen {
    /// Stop reading input and leave dashboard mode.
    fn release(&mut self) -> io::Result<()>;
    /// Enter dashboard mode again, read input again, and repaint on the next frame.
    fn retake(&mut self) -> io::Result<()>;
}

/// The real terminal: the TUI and the loop's input reader.
pub struct Dashboard<'a> {
    /// Modes and frames.
    pub tui: &'a mut Tui,
    /// The loop's key, paste and resize reader (None while the terminal is handed over).
    pub events: &'a mut Option<EventStream>,
}

impl Screen for Dashboard<'_> {
    fn release(&mut self) -> io::Result<()> {
        // Dropping stops crossterm's reader thread; pausing would leave it reading stdin.
        *self.events = None;
        self.tui.suspend()
    }

    fn retake(&mut self) -> io::Result<()> {
        self.tui.resume()?;
        *self.events = Some(EventStream::new());
        Ok(())
    }
}

/// The loop's next terminal event; never comes while the terminal is handed over.
pub async fn next_event(events: &mut Option<EventStream>) -> Option<io::Result<Event>> {
    match events {
        Some(e) => e.next().await,
        None => std::future::pending().await,
    }
}

/// Give the terminal to `session` and take it back. The outer error is the terminal's (it could not
/// be taken back: the dashboard cannot go on); the inner one is the session's, for the user.
pub async fn hand_over(screen: &mut impl Screen, session: HandOver) -> io::Result<Result<(), String>> {
    let kind = session.0.kind();
    if let Err(e) = screen.release() {
        // Half left: come back whole before saying so.
        screen.retake()?;
        return Ok(Err(format!("{kind}: the terminal could not be handed over: {e}")));
    }
    let run = session.0.clone();
    let ran = tokio::task::spawn_blocking(move || run.run()).await;
    // Taken back before anything else, whatever the session did or left.
    screen.retake()?;
    Ok(match ran {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("{kind} failed: {e}")),
        Err(e) if e.is_panic() => Err(format!("{kind} crashed: {}", panic_text(e.into_panic()))),
        Err(e) => Err(format!("{kind} failed: {e}")),
    })
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map_or_else(|| "it panicked".to_string(), |s| s.to_string()),
    }
}
