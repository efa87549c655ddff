//! Fixtures the unit tests share: a connected state, a screen opened on a kind with rows in it, and
//! a drawn TestBackend buffer read back as text.

use std::sync::Arc;

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use crate::app::state::State;
use crate::app::table::Row;
use crate::app::update::key;
use crate::app::{Input, update};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::config::theme::Theme;

/// A state connected to `context` with `namespace` as the current namespace.
pub fn connected(context: &str, namespace: &str, readonly: bool) -> State {
    let mut s = State::new(
        Some(namespace.into()),
        readonly,
        crate::config::keymap::default_keymap(),
    );
    update(
        &mut s,
        Input::Connected {
            context: context.into(),
            namespace: namespace.into(),
            url: "https://x".into(),
        },
    );
    s
}

/// Switch to `kind`'s screen the way a user does (`:plural` Enter), unless it is already showing.
pub fn open(s: &mut State, kind: Kind) {
    if s.wanted().map(|w| w.0) == Some(kind) {
        return;
    }
    type_keys(s, ":");
    type_keys(s, kind.plural());
    update(s, key(KeyCode::Enter));
}

/// Open `kind`'s screen and feed it `rows` from the watch on `scope`.
pub fn show(s: &mut State, kind: Kind, scope: Scope, rows: Vec<Row>, status: WatchStatus) {
    open(s, kind);
    let rows = rows.into_iter().map(Arc::new).collect();
    let watch = (kind, scope);
    update(
        s,
        Input::Rows {
            watch,
            rows: Some(rows),
            status,
        },
    );
}

/// Type `text` one character at a time.
pub fn type_keys(s: &mut State, text: &str) {
    for c in text.chars() {
        update(s, key(KeyCode::Char(c)));
    }
}

/// Draw the whole UI at `now` into a `w`×`h` TestBackend.
pub fn draw(state: &State, w: u16, h: u16, now: i64) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| crate::ui::draw(f, state, now)).unwrap();
    term.backend().buffer().clone()
}

/// Draw the whole UI in `theme` at `now` into a `w`×`h` TestBackend.
pub fn draw_themed(state: &State, theme: &Theme, w: u16, h: u16, now: i64) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| crate::ui::draw_with(f, state, theme, now)).unwrap();
    term.backend().buffer().clone()
}

/// The buffer's symbols, one line per row, each ending in a newline.
pub fn text(buf: &Buffer) -> String {
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

/// What `f` writes to the log (tracing, without colour), as the log file would hold it.
pub fn logged(f: impl FnOnce()) -> String {
    #[derive(Clone, Default)]
    struct Memory(Arc<parking_lot::Mutex<Vec<u8>>>);
    impl std::io::Write for Memory {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let file = Memory::default();
    let writer = file.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    String::from_utf8_lossy(&file.0.lock()).into_owned()
}
