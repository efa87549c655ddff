//! The kubeconfig contexts (`:ctx`): Enter switches to the one under the cursor.

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::lists;
use super::screen::{PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::nav::switch_context;
use crate::app::state::{State, ViewKind};
use crate::app::table::Row;
use crate::config::theme::Theme;
use crate::ui::table::{self, Columns};

/// The contexts list.
pub static SCREEN: Screen = Screen {
    name: "contexts",
    shows: |k| *k == ViewKind::Contexts,
    scope: KeyScope::Table,
    // `:ctx` takes a name too: the command line handles it.
    commands: &[],
    act,
    on_input,
    applies,
    header: |_, theme| vec![Span::styled("contexts", theme.title)],
    render,
    #[cfg(test)]
    samples,
    ..PLAIN
};

fn applies(state: &State, action: Action) -> bool {
    lists::moving(action) || lists::sorting(state, action) || matches!(action, Action::Enter | Action::Filter | Action::CopyName)
}

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    if action != Action::Enter {
        return lists::act(state, action);
    }
    let name = state.top().table.current()?.name.clone();
    Some(switch_context(state, name.to_string()))
}

/// The context names, the current one marked.
fn on_input(state: &mut State, input: Input) -> Result<Vec<Effect>, Input> {
    let Input::Contexts(names, current) = input else {
        return Err(input);
    };
    if let Some(view) = state.stack.iter_mut().rev().find(|v| v.kind == ViewKind::Contexts) {
        let rows = names
            .into_iter()
            .map(|name| {
                Arc::new(Row {
                    key: name.clone(),
                    cells: vec![if Some(&name) == current.as_ref() {
                        "*".into()
                    } else {
                        String::new().into()
                    }],
                    name: name.into(),
                    ..Default::default()
                })
            })
            .collect();
        view.table.replace_rows(rows);
        view.status = Some(crate::cluster::watch::WatchStatus::Ready);
        view.refresh();
    }
    Ok(vec![])
}

fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, _now: i64) {
    let cells = |r: &Row| vec![r.cells.first().map(ToString::to_string).unwrap_or_default(), r.name.to_string()];
    let cols = Columns {
        titles: vec!["CURRENT".into(), "NAME".into()],
        free: vec![false, false],
        cells: &cells,
        tint: None,
    };
    let block = crate::ui::views::frame_block(" contexts ".into(), theme);
    table::render(frame, area, block, &state.top().table, &cols, theme);
}

#[cfg(test)]
fn samples() -> Vec<State> {
    let mut s = crate::test_util::connected("demo", "shop", false);
    crate::app::update::run_command(&mut s, "ctx");
    let names = (0..5).map(|i| format!("ctx-{i}")).collect();
    crate::app::update(&mut s, Input::Contexts(names, Some("ctx-1".into())));
    lists::act(&mut s, Action::Down);
    lists::act(&mut s, Action::Down);
    vec![s]
}
