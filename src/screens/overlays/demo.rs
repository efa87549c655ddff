//! The demo cluster's first-screen notice: any key dismisses it.

use super::{nothing_instead, in_the_box, no_footer};
use crate::screens::screen::Overlay;

/// The notice.
pub static OVERLAY: Overlay = Overlay {
    name: "demo",
    open: |state| state.demo.as_ref().is_some_and(|d| d.notice),
    on_key: |state, _| crate::app::demo::dismiss(state).then(Vec::new),
    render: |frame, area, state, theme| {
        if let Some(demo) = &state.demo {
            crate::ui::demo::render(frame, area, demo, theme)
        }
    },
    footer: no_footer,
    // "Press any key to continue." is in the box.
    hints: in_the_box,
    instead: nothing_instead,
    #[cfg(test)]
    samples,
};

#[cfg(test)]
fn samples() -> Vec<crate::app::state::State> {
    let mut s = (crate::screens::table::SCREEN.samples)().remove(0);
    s.demo = Some(crate::app::state::Demo::fallback(vec!["~/.kube/config: not found".into()]));
    vec![s]
}
