//! Every registered screen against its own hints: a key the footer or help offers does something
//! there (the state changes or effects come out), and a key they do not offer does nothing.

use crossterm::event::KeyEvent;

use super::{SCREENS, active, explains, hints};
use crate::app::state::State;
use crate::app::{Effect, Input, update};
use crate::config::keymap;

/// Press a binding's keys one after another; what came out.
fn press(s: &mut State, keys: &[crate::app::keys::Key]) -> Vec<Effect> {
    let mut out = Vec::new();
    for k in keys {
        out.extend(update(s, Input::Key(KeyEvent::new(k.code, k.mods))));
    }
    out
}

/// Each sample of each screen in each built-in keymap, with what the screen offers there.
fn each_sample(mut check: impl FnMut(&str, &State, &crate::app::keys::Binding, bool)) {
    for name in ["default", "vim"] {
        let km = keymap::builtin(name).expect("a built-in keymap");
        for screen in SCREENS {
            let samples = (screen.samples)();
            assert!(!samples.is_empty(), "{}: no sample", screen.name);
            for mut sample in samples {
                sample.keymap = km.clone();
                assert_eq!(active(&sample).name, screen.name, "its sample shows another screen");
                let hints = hints(&sample);
                for b in sample.keymap.active(screen.scope) {
                    let applies = hints.iter().any(|h| h.action == b.action && h.applies);
                    check(&format!("{name}/{}", screen.name), &sample, b, applies);
                }
            }
        }
    }
}

#[test]
fn every_key_a_screen_offers_does_something_there() {
    let (mut checked, mut dead) = (0, Vec::new());
    each_sample(|at, sample, b, applies| {
        if !applies {
            return;
        }
        let mut s = sample.clone();
        let effects = press(&mut s, &b.keys);
        let changed = format!("{s:?}") != format!("{sample:?}");
        if !changed && effects.is_empty() {
            dead.push(format!("{at}: {} ({})", b.label(), b.help));
        }
        checked += 1;
    });
    assert!(dead.is_empty(), "offered and do nothing:\n{}", dead.join("\n"));
    assert!(checked > 100, "only {checked} keys checked");
}

#[test]
fn a_key_a_screen_does_not_offer_does_nothing_there() {
    let mut live = Vec::new();
    each_sample(|at, sample, b, applies| {
        if applies || explains(sample, b.action) {
            return;
        }
        // A key shared by actions of kinds that never overlap belongs to the one offered here.
        let shared = sample.keymap.scopes.iter().flat_map(|(_, bs)| bs).any(|o| {
            o.keys == b.keys && o.action.kinds_disjoint(b.action) && crate::screens::applies(sample, o.action)
        });
        if shared {
            return;
        }
        // A key the screen reads itself (the history's J and K) is not the keymap's there.
        let first = b.keys[0];
        if (active(sample).on_key)(&mut sample.clone(), &KeyEvent::new(first.code, first.mods)).is_some() {
            return;
        }
        let mut s = sample.clone();
        let effects = press(&mut s, &b.keys);
        if !effects.is_empty() || format!("{s:?}") != format!("{sample:?}") {
            live.push(format!("{at}: {} ({}) {effects:?}", b.label(), b.help));
        }
    });
    assert!(live.is_empty(), "not offered and do something:\n{}", live.join("\n"));
}

#[test]
fn every_kind_of_view_has_exactly_one_screen() {
    for screen in SCREENS {
        for sample in (screen.samples)() {
            let kind = &sample.top().kind;
            let owners: Vec<&str> = SCREENS.iter().filter(|s| (s.shows)(kind)).map(|s| s.name).collect();
            assert_eq!(owners, [screen.name], "{kind:?}");
        }
    }
}
