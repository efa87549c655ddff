//! What the list screens (resources, containers, contexts) share: the cursor, the filter line,
//! sorting, copying a name, wide mode, and fresh rows from a watch.

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::nav::{move_cursor, text_line};
use crate::app::state::{Mode, State};
use crate::app::table::SortCol;

/// Whether `action` moves a cursor or scrolls (every screen has those).
pub fn moving(action: Action) -> bool {
    use Action::*;
    matches!(action, Up | Down | Top | Bottom | PageUp | PageDown)
}

/// Whether `action` sorts the list on show: the column steps only when there is a column that
/// way (at either edge, or with no columns, they would do nothing).
pub fn sorting(state: &State, action: Action) -> bool {
    let view = state.top();
    let step = |by| crate::app::columns::step_sort(&view.kind, state.wide, view.sort.col, by) != view.sort.col;
    match action {
        Action::SortBy(_) | Action::SortReverse => true,
        Action::SortPrev => step(-1),
        Action::SortNext => step(1),
        Action::SortCpu | Action::SortMem => usage_col(state, action).is_some(),
        _ => false,
    }
}

/// The sort column of the list's CPU or MEM column, for the usage shortcuts (None: no such column shown).
fn usage_col(state: &State, action: Action) -> Option<SortCol> {
    let title = if action == Action::SortCpu { "CPU" } else { "MEM" };
    let shown = crate::app::columns::shown(&state.top().kind, state.wide);
    shown.iter().find(|c| c.title == title).map(|c| c.sort_col())
}

/// The actions every list has; None: not one of them.
pub fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let page = state.page_rows as isize;
    match action {
        Action::Up => move_cursor(state, |t| t.move_by(-1)),
        Action::Down => move_cursor(state, |t| t.move_by(1)),
        Action::Top => move_cursor(state, |t| t.select(0)),
        Action::Bottom => move_cursor(state, |t| t.select(usize::MAX)),
        Action::PageUp => move_cursor(state, |t| t.move_by(-page)),
        Action::PageDown => move_cursor(state, |t| t.move_by(page)),
        Action::Filter => state.mode = Mode::Filter(text_line(&state.top().filter_text)),
        Action::SortBy(col) => {
            let view = state.top_mut();
            view.sort.descending = view.sort.col == col && !view.sort.descending;
            view.sort.col = col;
            view.refresh();
            view.table.scroll_into_view(page as usize);
        }
        Action::SortCpu | Action::SortMem => {
            let col = usage_col(state, action)?;
            let view = state.top_mut();
            // The largest first: what a user asking "who eats the node" looks for.
            view.sort.descending = view.sort.col != col || !view.sort.descending;
            view.sort.col = col;
            view.refresh();
            view.table.scroll_into_view(page as usize);
        }
        Action::SortPrev | Action::SortNext | Action::SortReverse => {
            let wide = state.wide;
            let view = state.top_mut();
            match action {
                Action::SortReverse => view.sort.descending = !view.sort.descending,
                _ => {
                    let step = if action == Action::SortPrev { -1 } else { 1 };
                    view.sort.col = crate::app::columns::step_sort(&view.kind, wide, view.sort.col, step);
                }
            }
            view.refresh();
            view.table.scroll_into_view(page as usize);
        }
        Action::CopyName => {
            let row = state.top().table.current()?;
            let text = match row.namespace.as_str() {
                "" => row.name.to_string(),
                ns => format!("{ns}/{}", row.name),
            };
            return Some(vec![Effect::Copy(text)]);
        }
        Action::Wide => {
            state.wide = !state.wide;
            // A sort column that just went out of sight would sort invisibly: fall back to NAME.
            let wide = state.wide;
            for view in &mut state.stack {
                let shown = crate::app::columns::shown(&view.kind, wide);
                if !shown.is_empty() && !shown.iter().any(|c| c.sort_col() == view.sort.col) {
                    view.sort = Default::default();
                    view.refresh();
                }
            }
        }
        _ => return None,
    }
    Some(vec![])
}

/// The footer says whether wide mode is on, so the toggle's state is always visible.
pub fn label(state: &State, action: Action) -> Option<String> {
    match action {
        Action::ProblemsOnly if state.top().fixed.problems.is_some() => Some("problems only: on".into()),
        Action::ProblemsOnly => Some("problems only: off".into()),
        Action::Wide if state.wide => Some("wide: on".into()),
        Action::Wide => Some("wide: off".into()),
        _ => None,
    }
}

/// Fresh rows of a watch: the view on show takes them if it wants that watch (a resource list, or
/// a pod's containers from its namespace's pods).
pub fn rows(state: &mut State, input: Input) -> Result<Vec<Effect>, Input> {
    let (watch, rows, status) = match input {
        Input::Rows { watch, rows, status } => (watch, rows, status),
        Input::Feed { feed, status } => {
            if state.wanted().as_ref() == Some(&feed.at.watch) {
                let synced = status == crate::cluster::watch::WatchStatus::Ready;
                let page = state.page_rows;
                let view = state.top_mut();
                view.status = Some(status);
                view.table.feed(feed, &view.filter, &view.fixed, view.sort);
                view.table.scroll_into_view(page);
                if synced {
                    crate::app::owner::settle(state);
                }
            }
            return Ok(vec![]);
        }
        Input::Usage { watch, usage } => {
            if state.wanted().as_ref() == Some(&watch) {
                let view = state.top_mut();
                view.table.set_usage(usage, &view.filter, view.sort);
                view.refresh();
            }
            return Ok(vec![]);
        }
        _ => return Err(input),
    };
    if state.wanted().as_ref() == Some(&watch) {
        let page = state.page_rows;
        let view = state.top_mut();
        let synced = rows.is_some() && status == crate::cluster::watch::WatchStatus::Ready;
        view.status = Some(status);
        if let Some(rows) = rows {
            view.table.replace_rows(rows);
            view.refresh();
            view.table.scroll_into_view(page);
        }
        if synced {
            crate::app::owner::settle(state);
        }
    }
    Ok(vec![])
}

/// A list of `n` rows named `prefix-0` … in namespace `ns` (the dead-key test's samples).
#[cfg(test)]
pub fn sample_rows(prefix: &str, ns: &str, n: usize) -> Vec<crate::app::table::Row> {
    (0..n)
        .map(|i| crate::app::table::Row {
            key: format!("uid-{prefix}-{i}"),
            namespace: ns.into(),
            name: format!("{prefix}-{i}").into(),
            cells: vec![String::new().into(); 12],
            ..Default::default()
        })
        .collect()
}
