//! The action dialogs (scale, delete, confirm): every key is the dialog's; the keys it takes are
//! written in its box.

use super::{nothing_instead, in_the_box, no_footer};
use crate::screens::screen::Overlay;

/// The open dialog.
pub static OVERLAY: Overlay = Overlay {
    name: "dialog",
    open: |state| state.dialog.is_some(),
    on_key: |state, key| {
        Some(match state.dialog {
            Some(crate::app::dialog::Dialog::Container(_)) => crate::app::debugging::on_key(state, *key),
            Some(crate::app::dialog::Dialog::PortForward(_)) => crate::app::portforward::on_key(state, *key),
            _ => crate::app::workload::on_dialog_key(state, *key),
        })
    },
    render: |frame, area, state, theme| {
        if let Some(dialog) = &state.dialog {
            crate::ui::dialogs::render(frame, area, state, dialog, theme)
        }
    },
    footer: no_footer,
    hints: in_the_box,
    instead: nothing_instead,
    #[cfg(test)]
    samples,
};

#[cfg(test)]
fn samples() -> Vec<crate::app::state::State> {
    use crate::app::action::Action;
    let mut out = Vec::new();
    for (screen, action) in [(0, Action::Delete), (1, Action::Scale), (1, Action::Restart)] {
        let mut s = (crate::screens::table::SCREEN.samples)().remove(screen);
        crate::app::update::act(&mut s, action);
        assert!(s.dialog.is_some(), "{action:?} opened a dialog");
        out.push(s);
    }
    out
}
