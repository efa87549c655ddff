//! The terminal: raw mode and alternate screen while the dashboard runs, restored on every way out.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture};
use crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode,
    enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::{Frame, Terminal};
use tokio::signal::unix::{SignalKind, signal};

use crate::sgr16::Sgr16;

/// Whether the terminal is currently in dashboard mode (raw + alternate screen); makes restore idempotent.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Whether mouse capture is asked for (off by default so terminal text selection keeps working).
static MOUSE: AtomicBool = AtomicBool::new(false);

/// The dashboard's terminal.
pub struct Tui {
    /// The ratatui terminal drawing to stdout.
    pub terminal: Terminal<CrosstermBackend<Sgr16<Stdout>>>,
}

/// Refuse to start without a terminal on both ends, before anything is taken or started: raw mode
/// needs standard input to be a terminal, and the frames need standard output to be one.
pub fn require_terminal(stdin: bool, stdout: bool) -> Result<(), String> {
    let which = match (stdin, stdout) {
        (true, true) => return Ok(()),
        (false, true) => "standard input is not a terminal",
        (true, false) => "standard output is not a terminal",
        (false, false) => "standard input and output are not terminals",
    };
    Err(format!(
        "a terminal is needed, but {which}. Run kubedeck in an interactive terminal (over ssh: ssh -t), \
         without redirecting its input or output"
    ))
}

impl Tui {
    /// Enter raw mode and the alternate screen (capturing the mouse if asked), and install the
    /// panic hook that undoes it all.
    pub fn init(mouse: bool) -> io::Result<Tui> {
        MOUSE.store(mouse, Ordering::SeqCst);
        install_panic_hook();
        enter()?;
        let terminal = Terminal::new(backend(io::stdout()))?;
        Ok(Tui { terminal })
    }

    /// Draw one frame inside a synchronized update, so the terminal never shows half a frame.
    pub fn draw(&mut self, f: impl FnOnce(&mut Frame)) -> io::Result<()> {
        execute!(io::stdout(), BeginSynchronizedUpdate)?;
        let res = self.terminal.draw(f).map(|_| ());
        execute!(io::stdout(), EndSynchronizedUpdate)?;
        res
    }

    /// Give the terminal back (for an editor, a shell, exec) until [`Tui::resume`].
    pub fn suspend(&mut self) -> io::Result<()> {
        restore()
    }

    /// Take the terminal again after [`Tui::suspend`] and repaint everything.
    pub fn resume(&mut self) -> io::Result<()> {
        enter()?;
        self.terminal.clear()
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// The backend frames are drawn with: crossterm writing to `out`, the 16 terminal colours in their
/// 16-colour codes so that a 16-colour terminal shows them.
pub fn backend<W: Write>(out: W) -> CrosstermBackend<Sgr16<W>> {
    CrosstermBackend::new(Sgr16::new(out))
}

fn enter() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste, cursor::Hide)?;
    if MOUSE.load(Ordering::SeqCst) {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    ACTIVE.store(true, Ordering::SeqCst);
    Ok(())
}

/// Leave raw mode and the alternate screen if we are in them; safe to call any number of times.
pub fn restore() -> io::Result<()> {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        // End a synchronized update a panic may have interrupted, or the terminal stays frozen.
        let _ = execute!(out, EndSynchronizedUpdate);
        if MOUSE.load(Ordering::SeqCst) {
            let _ = execute!(out, DisableMouseCapture);
        }
        execute!(out, DisableBracketedPaste, LeaveAlternateScreen, cursor::Show)?;
        disable_raw_mode()?;
        out.flush()?;
    }
    Ok(())
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Restore first: the previous hook prints the message, which must land on the normal screen.
        let _ = restore();
        previous(info);
    }));
}

/// Watch for SIGHUP and SIGTERM on a thread of its own: when one arrives, restore the terminal and
/// exit at once with 128 + the signal's number. The event loop may be busy for any length of time
/// (a frame, a huge line), and a closed terminal or a `kill` must not wait for it.
pub fn exit_on_termination_signals() -> io::Result<()> {
    // Registered before this returns, so a signal sent right after start-up is not missed.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
    std::thread::Builder::new()
        .name("kubedeck-signals".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => return drop(ready_tx.send(Err(e))),
            };
            runtime.block_on(async move {
                let (mut hup, mut term) = match (signal(SignalKind::hangup()), signal(SignalKind::terminate())) {
                    (Ok(h), Ok(t)) => (h, t),
                    (Err(e), _) | (_, Err(e)) => return drop(ready_tx.send(Err(e))),
                };
                let _ = ready_tx.send(Ok(()));
                let (sig, name) = tokio::select! {
                    _ = hup.recv() => (SignalKind::hangup().as_raw_value(), "SIGHUP"),
                    _ = term.recv() => (SignalKind::terminate().as_raw_value(), "SIGTERM"),
                };
                tracing::info!("{name} received: restoring the terminal and exiting");
                let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
                // Holding stdout keeps the event loop from writing half a frame after the restore; a
                // terminal that stopped reading (flow control) could hold it for ever, so the exit
                // below waits for the restore half a second at most.
                let _ = std::thread::Builder::new()
                    .name("kubedeck-restore".into())
                    .spawn(move || {
                        let _stdout = io::stdout().lock();
                        let _ = restore();
                        let _ = done_tx.send(());
                    });
                let _ = done_rx.recv_timeout(std::time::Duration::from_millis(500));
                std::process::exit(128 + sig);
            });
        })?;
    ready_rx
        .recv()
        .unwrap_or_else(|_| Err(io::Error::other("the signal thread ended before it was ready")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_missing_terminal_is_named() {
        assert_eq!(super::require_terminal(true, true), Ok(()));
        let err = super::require_terminal(false, true).unwrap_err();
        assert!(
            err.starts_with("a terminal is needed, but standard input is not a terminal"),
            "{err}"
        );
        assert!(
            super::require_terminal(true, false)
                .unwrap_err()
                .contains("standard output is not")
        );
    }
}
