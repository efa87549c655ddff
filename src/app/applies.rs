//! Which actions mean something on the screen on show. Help and the footer list only those, and
//! the keys of the others do nothing there: none changes state the screen does not show.

use super::action::Action;
use super::state::State;

/// Whether `action` does something on the screen on show (the global actions, and what the
/// screen says of its own).
pub fn applies(state: &State, action: Action) -> bool {
    crate::screens::applies(state, action)
}

/// Whether a key that does not apply here still answers with why: on a list of another kind, an
/// object action or logs say which kinds they work on (as `--readonly` says what it refuses).
pub fn explained(state: &State, action: Action) -> bool {
    crate::screens::explains(state, action)
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::*;
    use crate::app::state::ViewKind;
    use crate::app::update::{key, update};
    use crate::test_util::{connected, type_keys};

    fn control_plane() -> State {
        let mut s = connected("demo", "shop", false);
        type_keys(&mut s, ":cp");
        update(&mut s, key(KeyCode::Enter));
        assert!(matches!(s.top().kind, ViewKind::ControlPlane { .. }));
        s
    }

    #[test]
    fn control_plane_footer_and_help_offer_only_its_own_keys() {
        let s = control_plane();
        let footer: Vec<String> = crate::ui::footer::hints(&s).into_iter().map(|(_, w)| w).collect();
        for gone in ["filter", "open", "describe", "yaml", "all ns", "wide: off", "logs"] {
            assert!(!footer.iter().any(|w| w == gone), "{gone}: {footer:?}");
        }
        assert!(footer.iter().any(|w| w == "help") && footer.iter().any(|w| w == "command"));
        let help: Vec<String> = crate::ui::help::entries(&s).into_iter().map(|(_, h)| h).collect();
        for gone in [
            "scale",
            "delete (asks first)",
            "drain node (asks first)",
            "describe",
            "all ns",
        ] {
            assert!(!help.iter().any(|h| h == gone), "{gone}: {help:?}");
        }
        assert!(help.iter().any(|h| h == "refresh") && help.iter().any(|h| h == "down"));
    }

    #[test]
    fn keys_that_do_not_apply_change_nothing() {
        let mut s = control_plane();
        for c in ['0', 'w', 'd', 'l', '/', 's', 'X'] {
            let effects = update(&mut s, key(KeyCode::Char(c)));
            assert!(effects.is_empty(), "{c}: {effects:?}");
        }
        assert_eq!(s.namespace.as_deref(), Some("shop"), "0 left the namespace alone");
        assert!(!s.wide, "w left wide mode alone");
        assert!(s.toasts.is_empty() && s.dialog.is_none() && s.stack.len() == 1);
        assert!(matches!(s.mode, crate::app::state::Mode::Normal), "/ opened no filter");
    }

    #[test]
    fn lists_keep_their_keys_and_say_why_for_another_kind() {
        let mut s = connected("demo", "shop", false);
        let help: Vec<String> = crate::ui::help::entries(&s).into_iter().map(|(_, h)| h).collect();
        assert!(help.iter().any(|h| h == "describe") && help.iter().any(|h| h == "logs"));
        assert!(!help.iter().any(|h| h == "scale"), "pods are not scaled: {help:?}");
        assert!(help.iter().any(|h| h == "shell (pod, container, node)"), "{help:?}");
        assert!(crate::ui::footer::hints(&s).iter().any(|(_, w)| w == "all ns"));
        update(&mut s, key(KeyCode::Char('r')));
        let toast = &s.toasts.last().expect("a reason").text;
        assert!(toast.starts_with("rollout restart"), "{toast}");
    }

    #[test]
    fn the_message_log_offers_only_moving_keys() {
        let mut s = connected("demo", "shop", false);
        type_keys(&mut s, ":msg");
        update(&mut s, key(KeyCode::Enter));
        assert!(matches!(s.top().kind, ViewKind::Page { screen: "messages", .. }));
        let footer: Vec<String> = crate::ui::footer::hints(&s).into_iter().map(|(_, w)| w).collect();
        for gone in ["filter", "open", "describe", "yaml", "all ns", "logs"] {
            assert!(!footer.iter().any(|w| w == gone), "{gone}: {footer:?}");
        }
        for c in ['0', 'w', 'd', '/'] {
            assert!(update(&mut s, key(KeyCode::Char(c))).is_empty(), "{c}");
        }
        assert!(matches!(s.top().kind, ViewKind::Page { screen: "messages", .. }) && !s.wide);
    }
}
