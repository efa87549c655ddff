//! The live rollout-status or drain panel over the bottom of the screen: esc closes it, the
//! moving keys scroll it (`update::act` gives them to it first), every other key is the screen's.

use crossterm::event::KeyCode;

use super::{no_footer, screen_hints};
use crate::app::action::Action;
use crate::app::state::Mode;
use crate::screens::screen::Overlay;

/// The panel.
pub static OVERLAY: Overlay = Overlay {
    name: "panel",
    open: |state| state.panel.is_some(),
    on_key: |state, key| {
        let close = key.code == KeyCode::Esc && matches!(state.mode, Mode::Normal);
        close.then(|| crate::app::workload::close_panel(state))
    },
    render: |frame, area, state, theme| {
        if let Some(panel) = &state.panel {
            crate::ui::dialogs::render_panel(frame, area, state, panel, theme)
        }
    },
    footer: no_footer,
    hints: screen_hints,
    instead: |state, action| (action == Action::Back && matches!(state.mode, Mode::Normal)).then_some("close panel"),
    #[cfg(test)]
    samples,
};

#[cfg(test)]
fn samples() -> Vec<crate::app::state::State> {
    use crate::cluster::ops::drain::Line;
    let mut out = Vec::new();
    for deep in [false, true] {
    let mut s = (crate::screens::table::SCREEN.samples)().remove(2);
    if deep {
        crate::app::update::act(&mut s, crate::app::action::Action::Enter);
    }
    let mut panel = crate::app::dialog::Panel {
        title: "drain node/nodes-2".into(),
        kind: crate::app::dialog::PanelKind::Drain,
        target: crate::cluster::ops::ObjRef::new(crate::cluster::Kind::Node, "", "nodes-2"),
        lines: Vec::new(),
        done: false,
        failed: false,
        scroll: Some(2),
    };
    for i in 0..20 {
        panel.push(Line {
            key: None,
            text: format!("evicting pod {i}"),
        });
    }
    s.panel = Some(panel);
    out.push(s);
    }
    out
}
