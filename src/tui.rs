//! The terminal: raw mode and alternate screen while the dashboard runs, restored on every way out.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture};
use crossterm::terminal::{
    BeginSynchronizedUpdate, Clear, ClearType, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute, queue};
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

    /// Give the terminal back (for an editor, a shell, exec) until [`Tui::resume`]: see
    /// `exec::terminal::hand_over`, the one caller.
    pub fn suspend(&mut self) -> io::Result<()> {
        restore()
    }

    /// Take the terminal again after [`Tui::suspend`] and repaint everything on the next frame.
    pub fn resume(&mut self) -> io::Result<()> {
        // A session may have left raw mode on: off first, so that turning it on starts from the
        // terminal's own settings, as at start.
        disable_raw_mode()?;
        enter()?;
        // Not `Terminal::clear`: it asks the terminal where the cursor is and fails when no answer
        // comes within two seconds (a slow link, a terminal that does not answer), which would end
        // the dashboard. Both buffers blank: the next frame is drawn whole on the cleared screen.
        execute!(io::stdout(), Clear(ClearType::All))?;
        self.terminal.swap_buffers();
        self.terminal.swap_buffers();
        Ok(())
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
    write_enter(&mut io::stdout(), MOUSE.load(Ordering::SeqCst))?;
    ACTIVE.store(true, Ordering::SeqCst);
    Ok(())
}

/// The sequences that put the terminal in dashboard mode once raw mode is on: alternate screen,
/// bracketed paste, hidden cursor, and mouse capture when asked. Any writer, so tests see the bytes.
pub fn write_enter(out: &mut impl Write, mouse: bool) -> io::Result<()> {
    queue!(out, EnterAlternateScreen, EnableBracketedPaste, cursor::Hide)?;
    if mouse {
        queue!(out, EnableMouseCapture)?;
    }
    out.flush()
}

/// The sequences that undo [`write_enter`], in reverse order (raw mode is left apart).
pub fn write_leave(out: &mut impl Write, mouse: bool) -> io::Result<()> {
    // End a synchronized update a panic may have interrupted, or the terminal stays frozen.
    let _ = queue!(out, EndSynchronizedUpdate);
    if mouse {
        let _ = queue!(out, DisableMouseCapture);
    }
    queue!(out, DisableBracketedPaste, LeaveAlternateScreen, cursor::Show)?;
    out.flush()
}

/// Leave raw mode and the alternate screen if we are in them; safe to call any number of times.
pub fn restore() -> io::Result<()> {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        write_leave(&mut io::stdout(), MOUSE.load(Ordering::SeqCst))?;
        disable_raw_mode()?;
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
                // A node shell's pod is not left behind (the session would have deleted it).
                crate::exec::leftovers::clean_up(std::time::Duration::from_secs(2)).await;
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

    /// A hand-over leaves dashboard mode and comes back to exactly what start-up set: these bytes
    /// are what the terminal sees (raw mode is a terminal setting, not bytes: see `hand_over`).
    #[test]
    fn leaving_and_entering_write_exactly_the_mode_sequences() {
        let mut out = Vec::new();
        super::write_leave(&mut out, false).unwrap();
        super::write_enter(&mut out, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\x1b[?2026l\x1b[?2004l\x1b[?1049l\x1b[?25h\x1b[?1049h\x1b[?2004h\x1b[?25l"
        );
        let mut out = Vec::new();
        super::write_leave(&mut out, true).unwrap();
        super::write_enter(&mut out, true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\x1b[?2026l\x1b[?1006l\x1b[?1015l\x1b[?1003l\x1b[?1002l\x1b[?1000l\x1b[?2004l\x1b[?1049l\x1b[?25h\
             \x1b[?1049h\x1b[?2004h\x1b[?25l\x1b[?1000h\x1b[?1002h\x1b[?1003h\x1b[?1015h\x1b[?1006h"
        );
    }
}
