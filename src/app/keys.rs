//! The active keymap as data: key sequences bound to named actions per scope, and matching.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, KeyScope};

/// One key press: a code and the modifiers that matter (shift is folded into upper-case chars).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl and alt (and shift for non-character keys).
    pub mods: KeyModifiers,
}

impl Key {
    /// A key from a terminal event, normalised the way keymap files are parsed.
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            // `G` arrives as shift+G on some terminals and as plain G on others.
            mods -= KeyModifiers::SHIFT;
        }
        Key { code: ev.code, mods }
    }

    /// How the key is written in keymap files, help and the footer.
    pub fn label(&self) -> String {
        let key = match self.code {
            KeyCode::Char(' ') => "space".into(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Tab => "tab".into(),
            KeyCode::BackTab => "backtab".into(),
            KeyCode::Backspace => "backspace".into(),
            KeyCode::Delete => "delete".into(),
            KeyCode::Insert => "insert".into(),
            KeyCode::Up => "up".into(),
            KeyCode::Down => "down".into(),
            KeyCode::Left => "left".into(),
            KeyCode::Right => "right".into(),
            KeyCode::Home => "home".into(),
            KeyCode::End => "end".into(),
            KeyCode::PageUp => "pgup".into(),
            KeyCode::PageDown => "pgdn".into(),
            KeyCode::F(n) => format!("f{n}"),
            other => format!("{other:?}").to_lowercase(),
        };
        let mut out = String::new();
        for (m, name) in [
            (KeyModifiers::CONTROL, "ctrl-"),
            (KeyModifiers::ALT, "alt-"),
            (KeyModifiers::SHIFT, "shift-"),
        ] {
            if self.mods.contains(m) {
                out.push_str(name);
            }
        }
        out + &key
    }
}

/// A key sequence bound to an action.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The keys, pressed one after another (`g g` is two).
    pub keys: Vec<Key>,
    /// What they do.
    pub action: Action,
    /// Shown in help and the footer.
    pub help: String,
    /// Also shown in the footer.
    pub footer: bool,
}

impl Binding {
    /// The sequence as written ("g g", "ctrl-f").
    pub fn label(&self) -> String {
        self.keys.iter().map(Key::label).collect::<Vec<_>>().join(" ")
    }
}

/// The active keymap.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    /// Its name (file stem or built-in name).
    pub name: String,
    /// Bindings per scope, in file order.
    pub scopes: Vec<(KeyScope, Vec<Binding>)>,
}

/// What a sequence of keys typed so far means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// A whole binding: run it.
    Action(Action),
    /// The start of a longer binding: wait for the next key.
    Prefix,
    /// Nothing.
    None,
}

impl Keymap {
    /// The bindings of one scope.
    pub fn scope(&self, scope: KeyScope) -> &[Binding] {
        self.scopes
            .iter()
            .find(|(s, _)| *s == scope)
            .map_or(&[], |(_, b)| b.as_slice())
    }

    /// The bindings in force on a screen of `scope`: its own, then the global ones (none in the
    /// editor, where `q`, `:` and `?` are text).
    pub fn active(&self, scope: KeyScope) -> impl Iterator<Item = &Binding> {
        let (own, global) = match scope {
            KeyScope::Global => (&[][..], self.scope(KeyScope::Global)),
            KeyScope::Editor => (self.scope(scope), &[][..]),
            _ => (self.scope(scope), self.scope(KeyScope::Global)),
        };
        own.iter().chain(global)
    }

    /// What `typed` means on a screen of `scope`.
    pub fn lookup(&self, scope: KeyScope, typed: &[Key]) -> Match {
        self.lookup_where(scope, typed, |_| true)
    }

    /// What `typed` means, among actions bound to the same keys (kinds that never overlap, see
    /// [`Action::kinds_disjoint`]) the first that `applies`; the first bound when none does.
    pub fn lookup_where(&self, scope: KeyScope, typed: &[Key], applies: impl Fn(Action) -> bool) -> Match {
        let mut prefix = false;
        let mut first = None;
        for b in self.active(scope) {
            if b.keys == typed {
                if applies(b.action) {
                    return Match::Action(b.action);
                }
                first = first.or(Some(b.action));
            }
            prefix |= b.keys.len() > typed.len() && b.keys.starts_with(typed);
        }
        match (first, prefix) {
            (Some(a), _) => Match::Action(a),
            (None, true) => Match::Prefix,
            (None, false) => Match::None,
        }
    }

    /// The first binding of `action` on a screen of `scope`, for hints like "press ? for help".
    pub fn first(&self, scope: KeyScope, action: Action) -> Option<&Binding> {
        self.active(scope).find(|b| b.action == action)
    }
}
