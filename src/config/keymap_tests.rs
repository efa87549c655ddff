//! Keymap tests: shipped files are complete and collision-free; bad files are refused precisely.

use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::app::keys::Match;

fn src() -> Source {
    Source::File("/home/u/.config/kubedeck/keymaps/mine.yaml".into())
}

fn key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}

#[test]
fn every_keymap_names_every_action_exactly_once_per_scope() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("keymaps");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(on_disk, ["default", "vim"], "every file in keymaps/ is embedded");
    for (name, text) in BUILTIN {
        let file: KeymapFile = serde_yaml::from_str(text).unwrap_or_else(|e| panic!("keymaps/{name}.yaml: {e}"));
        for (scope, section) in file.sections() {
            let mut named: Vec<&str> = section.0.iter().map(|(a, _)| a.as_str()).collect();
            let mut wanted: Vec<&str> = ACTIONS.iter().filter(|a| a.3.contains(&scope)).map(|a| a.1).collect();
            named.sort();
            wanted.sort();
            assert_eq!(named, wanted, "keymaps/{name}.yaml, scope {}", scope.name());
            for (action, entry) in &section.0 {
                assert!(!entry.keys.is_empty(), "{name}: {action} has no key");
                assert!(entry.help.is_some(), "{name}: {action} has no description");
            }
        }
        // Parsing also checks collisions.
        let km = builtin(name).unwrap();
        assert_eq!(km.name, *name);
    }
}

#[test]
fn no_default_uses_what_tmux_and_screen_take() {
    for (name, _) in BUILTIN {
        for (scope, bindings) in &builtin(name).unwrap().scopes {
            for b in bindings {
                for k in &b.keys {
                    let ctrl = k.mods.contains(KeyModifiers::CONTROL);
                    let taken = ctrl
                        && (matches!(k.code, KeyCode::Char('a' | 'b'))
                            || matches!(k.code, KeyCode::Up | KeyCode::Down | KeyCode::Left | KeyCode::Right));
                    assert!(
                        !taken,
                        "{name}: {}.{} uses {}",
                        scope.name(),
                        b.action.name(),
                        b.label()
                    );
                }
            }
        }
    }
}

#[test]
fn keys_parse_with_modifiers_function_keys_and_sequences() {
    let ctrl_f = Key {
        code: KeyCode::Char('f'),
        mods: KeyModifiers::CONTROL,
    };
    assert_eq!(parse_seq("ctrl-f").unwrap(), [ctrl_f]);
    assert_eq!(parse_seq("Ctrl+F").unwrap(), [ctrl_f]);
    assert_eq!(parse_seq("g g").unwrap(), [key('g'), key('g')]);
    assert_eq!(parse_seq("shift-g").unwrap(), [key('G')]);
    assert_eq!(parse_seq("-").unwrap(), [key('-')]);
    assert_eq!(parse_key("f5").unwrap().code, KeyCode::F(5));
    assert_eq!(parse_key("shift-tab").unwrap().code, KeyCode::BackTab);
    assert_eq!(parse_key("alt-x").unwrap().mods, KeyModifiers::ALT);
    assert_eq!(parse_key("space").unwrap(), key(' '));
    assert!(parse_key("f99").is_err() && parse_key("hyper-x").is_err());
    for label in ["ctrl-f", "g", "G", "f5", "alt-x", "pgdn", "space", "esc"] {
        assert_eq!(parse_key(label).unwrap().label(), label, "labels read back as written");
    }
}

#[test]
fn vim_sequences_match_prefixes_then_actions() {
    let km = builtin("vim").unwrap();
    assert_eq!(km.lookup(KeyScope::Table, &[key('g')]), Match::Prefix);
    assert_eq!(
        km.lookup(KeyScope::Table, &[key('g'), key('g')]),
        Match::Action(Action::Top)
    );
    assert_eq!(
        km.lookup(KeyScope::Table, &[key('g'), key('a')]),
        Match::Action(Action::AllNamespaces)
    );
    assert_eq!(km.lookup(KeyScope::Table, &[key('g'), key('q')]), Match::None);
    assert_eq!(
        km.lookup(KeyScope::Document, &[key('q')]),
        Match::Action(Action::Quit),
        "global keys apply"
    );
    let default = builtin("default").unwrap();
    assert_eq!(
        default.lookup(KeyScope::Table, &[key('/')]),
        Match::Action(Action::Filter)
    );
    assert_eq!(
        default.lookup(KeyScope::Document, &[key('/')]),
        Match::Action(Action::Search)
    );
}

#[test]
fn user_keymap_is_layered_over_its_base() {
    let text = "base: vim\ntable:\n  describe: { keys: [f2], help: describe it }\n";
    let km = parse_text("mine", text, &src()).unwrap();
    let d = km.first(KeyScope::Table, Action::Describe).unwrap();
    assert_eq!((d.label().as_str(), d.help.as_str()), ("f2", "describe it"));
    assert_eq!(
        km.scope(KeyScope::Table)
            .iter()
            .filter(|b| b.action == Action::Describe)
            .count(),
        1
    );
    assert_eq!(
        km.lookup(KeyScope::Table, &[key('g'), key('g')]),
        Match::Action(Action::Top),
        "the rest is vim's"
    );
}

#[test]
fn the_log_view_has_its_own_scope_with_the_moves_it_shares() {
    let vim = builtin("vim").unwrap();
    assert_eq!(vim.lookup(KeyScope::Logs, &[key('g')]), Match::Prefix);
    assert_eq!(
        vim.lookup(KeyScope::Logs, &[key('g'), key('g')]),
        Match::Action(Action::Top)
    );
    let default = builtin("default").unwrap();
    assert_eq!(
        default.lookup(KeyScope::Logs, &[key('f')]),
        Match::Action(Action::Log(crate::app::action::LogAction::Follow))
    );
    assert_eq!(default.lookup(KeyScope::Logs, &[key('q')]), Match::Action(Action::Quit));
    let err = refused("logs:\n  wide: { keys: [w] }\n");
    assert!(err.contains("logs.wide") && err.contains("goes under table"), "{err}");
    let err = refused("logs:\n  follow: { keys: [q] }\n");
    assert!(err.contains("logs.follow") && err.contains("global.quit"), "{err}");
}

fn refused(text: &str) -> String {
    parse_text("mine", text, &src()).unwrap_err().to_string()
}

#[test]
fn unknown_action_is_refused_with_file_and_line() {
    let err = refused("table:\n  up: { keys: [k] }\n  scael: { keys: [s] }\n");
    assert!(
        err.starts_with("/home/u/.config/kubedeck/keymaps/mine.yaml: line 3,"),
        "{err}"
    );
    assert!(
        err.contains("unknown action `scael`") && err.contains("actions: up, down"),
        "{err}"
    );
}

#[test]
fn colliding_keys_are_refused_naming_both_sides() {
    let err = refused("table:\n  describe: { keys: [d] }\n  yaml: { keys: [d] }\n");
    assert!(
        err.starts_with("/home/u/.config/kubedeck/keymaps/mine.yaml: line 3,"),
        "{err}"
    );
    assert!(
        err.contains("table.yaml: key `d` is also bound to `d` in table.describe (`d`, line 2)"),
        "{err}"
    );
    // A table key that a global binding starts (or vice versa) collides too.
    let err = refused("table:\n  wide: { keys: [q w] }\n");
    assert!(
        err.contains("line 2") && err.contains("table.wide: key `q w` overlaps"),
        "{err}"
    );
    assert!(
        err.contains("global.quit (`q`, keymaps/default.yaml (built in) line "),
        "{err}"
    );
    // Tables and documents may share keys: they are never on screen together.
    parse_text(
        "mine",
        "document:\n  search: { keys: [f] }\ntable:\n  filter: { keys: [f] }\n",
        &src(),
    )
    .unwrap();
}

#[test]
fn misplaced_actions_bad_keys_and_unknown_fields_are_refused() {
    let err = refused("document:\n  wide: { keys: [w] }\n");
    assert!(
        err.contains("line 2") && err.contains("action `wide` does not apply to `document`"),
        "{err}"
    );
    let err = refused("table:\n  up: { keys: [hyper-k] }\n");
    assert!(err.contains("line 2") && err.contains("unknown key `hyper-k`"), "{err}");
    let err = refused("table:\n  up: { keys: [k], desc: up }\n");
    assert!(err.contains("line 2") && err.contains("unknown field `desc`"), "{err}");
    let err = refused("tables:\n  up: { keys: [k] }\n");
    assert!(
        err.contains("line 1") && err.contains("unknown field `tables`"),
        "{err}"
    );
    let err = refused("table:\n  up: { keys: [k] }\n  up: { keys: [i] }\n");
    assert!(
        err.contains("line 3") && err.contains("action `up` is listed twice"),
        "{err}"
    );
}
