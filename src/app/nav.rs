//! Moving between views: pushing one, watching what the view on show lists, leaving a context.
//! Shared by `update` and the screens.

use ratatui_textarea::TextArea;

use super::effect::Effect;
use super::state::{State, View};
use super::table::Table;

/// The watch (or, on a health screen, the refresh) the view on show needs.
pub fn watch_top(state: &mut State) -> Vec<Effect> {
    if super::controlplane::health_screen(state) {
        // Health screens are not watches: coming back to one (or connecting) refreshes it.
        return super::controlplane::due(state);
    }
    state.wanted().map(|(k, s)| Effect::Watch(k, s)).into_iter().collect()
}

/// Put `view` on show and watch what it lists.
pub fn push(state: &mut State, view: View) -> Vec<Effect> {
    state.stack.push(view);
    watch_top(state)
}

/// Leave the current context for `name`.
pub fn switch_context(state: &mut State, name: String) -> Vec<Effect> {
    state.leave_context();
    vec![Effect::SwitchContext(name)]
}

/// Move the cursor of the view on show and keep it on screen.
pub fn move_cursor(state: &mut State, f: impl FnOnce(&mut Table)) {
    let page = state.page_rows;
    let view = state.top_mut();
    f(&mut view.table);
    view.table.scroll_into_view(page);
}

/// A one-line text input holding `initial`, the cursor at its end.
pub fn text_line(initial: &str) -> TextArea<'static> {
    let mut ta = TextArea::new(vec![initial.to_string()]);
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    ta
}

/// Open the list of `kind` as its `:` command does, `arg` being a namespace, `all` or `-A`.
pub fn open_kind(state: &mut State, kind: crate::cluster::Kind, arg: Option<&str>) -> Vec<Effect> {
    match arg {
        Some("all" | "-A") => state.namespace = None,
        Some(ns) => state.namespace = Some(ns.to_string()),
        None => {}
    }
    // A command starts a new stack, so Esc does not walk back through unrelated screens.
    state.stack = vec![View::new(super::state::ViewKind::Resource(kind))];
    watch_top(state)
}
