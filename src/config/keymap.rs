//! Keymap files: per scope, action name → key sequences and a description; parsed, checked for
//! unknown names and colliding keys, and reported with file and line.

use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyModifiers};
use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};

use super::{ConfigError, Source};
use crate::app::action::{ACTIONS, Action, KeyScope};
use crate::app::keys::{Binding, Key, Keymap};

/// The keymaps shipped inside the binary, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.yaml")),
    ("vim", include_str!("../../keymaps/vim.yaml")),
];

/// A keymap file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    /// Free text for the reader.
    #[allow(dead_code)]
    description: Option<String>,
    /// The built-in keymap a user file is layered over (default: `default`); read before parsing.
    #[allow(dead_code)]
    base: Option<String>,
    global: Option<Section>,
    table: Option<Section>,
    document: Option<Section>,
    logs: Option<Section>,
    editor: Option<Section>,
    xray: Option<Section>,
}

impl KeymapFile {
    fn sections(self) -> Vec<(KeyScope, Section)> {
        [
            (KeyScope::Global, self.global),
            (KeyScope::Table, self.table),
            (KeyScope::Document, self.document),
            (KeyScope::Logs, self.logs),
            (KeyScope::Editor, self.editor),
            (KeyScope::Xray, self.xray),
        ]
        .into_iter()
        .filter_map(|(s, sec)| sec.map(|sec| (s, sec)))
        .collect()
    }
}

/// One scope's entries in file order, names as written (checked in [`parse`], where lines are known).
#[derive(Debug, Default)]
struct Section(Vec<(String, Entry)>);

/// One action's keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// Key sequences; an empty list leaves the action unbound.
    keys: Vec<Seq>,
    /// Description in help and the footer (default: the action's own).
    help: Option<String>,
    /// Also shown in the footer.
    #[serde(default)]
    footer: bool,
}

/// A key sequence as written: `q`, `ctrl-f`, `g g`, `f5`, `shift-tab`.
#[derive(Debug, Clone)]
struct Seq(Vec<Key>);

impl<'de> Deserialize<'de> for Seq {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_seq(&s).map(Seq).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Section {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Section;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of action names to { keys: [...], help: ... }")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Section, E> {
                Ok(Section::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Section, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let entry: Entry = map.next_value()?;
                    out.push((name, entry));
                }
                Ok(Section(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parse one key sequence ("g g", "ctrl-f", "F5").
pub fn parse_seq(text: &str) -> Result<Vec<Key>, String> {
    let keys: Result<Vec<Key>, String> = text.split_whitespace().map(parse_key).collect();
    let keys = keys?;
    if keys.is_empty() {
        return Err("empty key".into());
    }
    Ok(keys)
}

/// Parse one key ("q", "G", "ctrl-f", "alt-x", "shift-tab", "f5", "pgdn", "space").
pub fn parse_key(token: &str) -> Result<Key, String> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = token;
    loop {
        let lower = rest.to_ascii_lowercase();
        let Some((m, len)) = [
            ("ctrl", KeyModifiers::CONTROL),
            ("alt", KeyModifiers::ALT),
            ("shift", KeyModifiers::SHIFT),
        ]
        .into_iter()
        .find_map(|(name, m)| {
            let after = lower.strip_prefix(name)?;
            (after.len() > 1 && (after.starts_with('-') || after.starts_with('+'))).then_some((m, name.len() + 1))
        }) else {
            break;
        };
        mods |= m;
        rest = &rest[len..];
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => KeyCode::Char(c),
        _ => match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods -= KeyModifiers::SHIFT;
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" | "bs" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" | "page-up" => KeyCode::PageUp,
            "pgdn" | "pagedown" | "page-down" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=24).contains(&n)) => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                return Err(format!(
                    "unknown key `{token}` (write e.g. q, G, ctrl-f, alt-x, f5, pgdn, space, g g)"
                ));
            }
        },
    };
    if let KeyCode::Char(c) = code {
        // Shift is the upper-case letter; ctrl-F is ctrl-f, as terminals send it.
        if mods.contains(KeyModifiers::SHIFT) {
            mods -= KeyModifiers::SHIFT;
            return Ok(Key {
                code: KeyCode::Char(c.to_ascii_uppercase()),
                mods,
            });
        }
        if mods.contains(KeyModifiers::CONTROL) {
            return Ok(Key {
                code: KeyCode::Char(c.to_ascii_lowercase()),
                mods,
            });
        }
    }
    Ok(Key { code, mods })
}

/// The 1-based line where `name` is listed under `scope` in `text` for the `nth` time (0: first);
/// 0 when not found.
fn line_of(text: &str, scope: KeyScope, name: &str, nth: usize) -> usize {
    let mut in_scope = false;
    let mut seen = 0;
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with([' ', '\t', '#']) && !line.trim().is_empty() {
            in_scope = line.starts_with(&format!("{}:", scope.name()));
            continue;
        }
        let t = line.trim_start();
        if in_scope && t.strip_prefix(name).is_some_and(|r| r.trim_start().starts_with(':')) {
            if seen == nth {
                return i + 1;
            }
            seen += 1;
        }
    }
    0
}

/// Bindings as parsed, with where each came from (for collision messages).
struct Located {
    binding: Binding,
    scope: KeyScope,
    source: Source,
    line: usize,
}

/// Parse a keymap file over `base` (None: the file must be complete on its own).
fn parse(name: &str, text: &str, source: &Source, base: Option<Vec<Located>>) -> Result<Vec<Located>, ConfigError> {
    let file: KeymapFile = serde_yaml::from_str(text).map_err(|e| ConfigError::yaml(source, &e))?;
    let mut out = base.unwrap_or_default();
    for (scope, section) in file.sections() {
        let mut done: Vec<Action> = Vec::new();
        for (name, entry) in section.0 {
            let at = |nth: usize, message: String| ConfigError::At {
                file: source.clone(),
                line: line_of(text, scope, &name, nth),
                column: 3,
                message: format!("{}.{name}: {message}", scope.name()),
            };
            let Some(action) = Action::from_name(&name) else {
                let known: Vec<&str> = ACTIONS.iter().map(|a| a.1).collect();
                return Err(at(
                    0,
                    format!("unknown action `{name}` (actions: {})", known.join(", ")),
                ));
            };
            if done.contains(&action) {
                return Err(at(
                    1,
                    format!("action `{name}` is listed twice; put all its keys in one `keys:` list"),
                ));
            }
            done.push(action);
            if !action.scopes().contains(&scope) {
                let belongs: Vec<&str> = action.scopes().iter().map(|s| s.name()).collect();
                return Err(at(
                    0,
                    format!(
                        "action `{name}` does not apply to `{}` screens (it goes under {})",
                        scope.name(),
                        belongs.join(", ")
                    ),
                ));
            }
            // The file's entry replaces the base's keys for this action in this scope.
            out.retain(|l| !(l.scope == scope && l.binding.action == action));
            let line = line_of(text, scope, &name, 0);
            let help = entry.help.unwrap_or_else(|| action.describe().to_string());
            for seq in entry.keys {
                out.push(Located {
                    binding: Binding {
                        keys: seq.0,
                        action,
                        help: help.clone(),
                        footer: entry.footer,
                    },
                    scope,
                    source: source.clone(),
                    line,
                });
            }
        }
    }
    check_collisions(&out)?;
    let _ = name;
    Ok(out)
}

/// Refuse two bindings a screen could not tell apart: the same keys, or one a prefix of the other.
fn check_collisions(all: &[Located]) -> Result<(), ConfigError> {
    for (i, a) in all.iter().enumerate() {
        for b in &all[..i] {
            // Global bindings are in force on every screen but the editor; the others only on their own.
            let global = |x: KeyScope, y: KeyScope| x == KeyScope::Global && y != KeyScope::Editor;
            let shared = a.scope == b.scope || global(a.scope, b.scope) || global(b.scope, a.scope);
            let (ka, kb) = (&a.binding.keys, &b.binding.keys);
            let disjoint = ka == kb && a.binding.action.kinds_disjoint(b.binding.action);
            if !shared || disjoint || !(ka.starts_with(kb) || kb.starts_with(ka)) {
                continue;
            }
            let how = if ka == kb {
                "is also bound to"
            } else {
                "overlaps (one starts the other)"
            };
            let at = |l: &Located| {
                if l.source == a.source {
                    format!("line {}", l.line)
                } else {
                    format!("{} line {}", l.source, l.line)
                }
            };
            return Err(ConfigError::At {
                file: a.source.clone(),
                line: a.line,
                column: 1,
                message: format!(
                    "{}.{}: key `{}` {how} `{}` in {}.{} (`{}`, {})",
                    a.scope.name(),
                    a.binding.action.name(),
                    a.binding.label(),
                    b.binding.label(),
                    b.scope.name(),
                    b.binding.action.name(),
                    b.binding.label(),
                    at(b)
                ),
            });
        }
    }
    Ok(())
}

fn assemble(name: &str, located: Vec<Located>) -> Keymap {
    let scopes = KeyScope::ALL
        .into_iter()
        .map(|s| {
            let bindings = located
                .iter()
                .filter(|l| l.scope == s)
                .map(|l| l.binding.clone())
                .collect();
            (s, bindings)
        })
        .collect();
    Keymap {
        name: name.to_string(),
        scopes,
    }
}

fn builtin_located(name: &str) -> Option<Result<Vec<Located>, ConfigError>> {
    let (n, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
    let source = Source::Embedded(format!("keymaps/{n}.yaml"));
    Some(parse(n, text, &source, None))
}

/// A built-in keymap by name.
pub fn builtin(name: &str) -> Option<Keymap> {
    let located = builtin_located(name)?.unwrap_or_else(|e| panic!("{e}"));
    Some(assemble(name, located))
}

/// The keymap used when none is chosen.
pub fn default_keymap() -> Keymap {
    builtin("default").expect("the default keymap is built in")
}

/// Parse a keymap file's text; it is layered over the built-in keymap its `base:` names.
pub fn parse_text(name: &str, text: &str, source: &Source) -> Result<Keymap, ConfigError> {
    let base_name = serde_yaml::from_str::<serde_yaml::Value>(text)
        .ok()
        .and_then(|v| v.get("base").and_then(|b| b.as_str()).map(String::from))
        .unwrap_or_else(|| "default".into());
    let base = match builtin_located(&base_name) {
        Some(b) => b?,
        None => {
            return Err(ConfigError::Other {
                file: source.clone(),
                message: format!("base: no built-in keymap named {base_name:?} (default, vim)"),
            });
        }
    };
    Ok(assemble(name, parse(name, text, source, Some(base))?))
}

/// Load `spec`: a built-in name, a name in `<config dir>/keymaps/`, or a path to a YAML file.
pub fn load(spec: &str, config_dir: Option<&Path>) -> Result<Keymap, ConfigError> {
    match super::user_file(spec, config_dir, "keymaps")? {
        Some((name, text, source)) => parse_text(&name, &text, &source),
        None => builtin(spec).ok_or_else(|| ConfigError::Other {
            file: Source::Flag("keymap".into()),
            message: format!("no keymap named {spec:?} (built-in: default, vim)"),
        }),
    }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
