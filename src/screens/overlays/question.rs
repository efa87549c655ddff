//! A yes/no question on the bottom line: `y` does what was asked, any other key says no.

use ratatui::widgets::Paragraph;

use super::{nothing_instead, in_the_box, no_render};
use crate::screens::screen::Overlay;

/// The open question.
pub static OVERLAY: Overlay = Overlay {
    name: "question",
    open: |state| state.question.is_some(),
    on_key: |state, key| Some(crate::app::question::on_key(state, key)),
    render: no_render,
    footer: |frame, area, state, theme| match &state.question {
        Some(q) => {
            frame.render_widget(Paragraph::new(q.text.as_str()).style(theme.prompt), area);
            true
        }
        None => false,
    },
    // The question ends in "(y/n)".
    hints: in_the_box,
    instead: nothing_instead,
    #[cfg(test)]
    samples,
};

#[cfg(test)]
fn samples() -> Vec<crate::app::state::State> {
    let mut s = (crate::screens::logs::SCREEN.samples)().remove(0);
    crate::app::question::overwrite(&mut s, "/tmp/x.log".into(), "a\n".into(), 1);
    vec![s]
}
