//! Every registered overlay against the footer: a screen key the footer offers while an overlay is
//! up reaches the screen (the overlay does not take it), and each key the overlay offers itself
//! does something.

use crossterm::event::KeyEvent;

use super::OVERLAYS;
use crate::app::{Input, update};

#[test]
fn the_footer_under_an_overlay_offers_only_keys_that_reach_what_they_name() {
    let mut checked = 0;
    for overlay in OVERLAYS {
        let samples = (overlay.samples)();
        assert!(!samples.is_empty(), "{}: no sample", overlay.name);
        for sample in samples {
            let first = super::open(&sample).next().map(|o| o.name);
            assert_eq!(first, Some(overlay.name), "its sample shows it on top");
            let footer = crate::ui::footer::hints(&sample);
            let scope = crate::screens::key_scope(&sample);
            let own = (overlay.hints)(&sample);
            // An overlay that takes every key shows its own hints (checked below), none of the screen's.
            let screen = if own.is_some() {
                Vec::new()
            } else {
                crate::screens::hints(&sample)
            };
            for h in screen.into_iter().filter(|h| h.applies) {
                let Some(label) = &h.footer_key else { continue };
                let Some((_, words)) = footer.iter().find(|(k, _)| k == label) else {
                    continue;
                };
                let b = sample
                    .keymap
                    .active(scope)
                    .find(|b| b.label() == *label)
                    .expect("its binding");
                let key = KeyEvent::new(b.keys[0].code, b.keys[0].mods);
                let taken = (overlay.on_key)(&mut sample.clone(), &key).is_some();
                let said = (overlay.instead)(&sample, h.action);
                assert!(
                    !taken || said == Some(words.as_str()),
                    "{}: the footer offers {label} ({words}), which it takes",
                    overlay.name
                );
                checked += 1;
            }
            if let Some(own) = &own {
                let label =
                    |keys: &[crate::app::keys::Key]| keys.iter().map(|k| k.label()).collect::<Vec<_>>().join(" ");
                let want: Vec<(String, String)> = own.iter().map(|(k, w)| (label(k), w.clone())).collect();
                assert_eq!(footer, want, "{}: the footer has its hints only", overlay.name);
            }
            for (keys, words) in own.unwrap_or_default() {
                let mut s = sample.clone();
                let mut effects = Vec::new();
                for k in &keys {
                    effects.extend(update(&mut s, Input::Key(KeyEvent::new(k.code, k.mods))));
                }
                let changed = format!("{s:?}") != format!("{sample:?}");
                assert!(changed || !effects.is_empty(), "{}: {words} does nothing", overlay.name);
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "only {checked} keys checked");
}
