//! The log view's keys, as data (footer and help are generated from them), and what they do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::{JsonMode, LogView, Prompt, compile, format, next_session};
use crate::app::effect::Effect;
use crate::cluster::logs::Params;

/// Something the user can do in the log view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogAction {
    /// Toggle following the newest line.
    Follow,
    /// Newest line, and follow.
    Bottom,
    /// Oldest line kept.
    Top,
    /// One line up.
    Up,
    /// One line down.
    Down,
    /// One page up.
    PageUp,
    /// One page down.
    PageDown,
    /// Scroll left.
    Left,
    /// Scroll right.
    Right,
    /// Scroll left fast.
    FarLeft,
    /// Scroll right fast.
    FarRight,
    /// Toggle wrapping.
    Wrap,
    /// Toggle timestamps.
    Timestamps,
    /// Toggle the previous container's logs.
    Previous,
    /// Cycle the JSON display.
    Json,
    /// Toggle the pod/container prefix.
    Prefix,
    /// Type a search.
    Search,
    /// Next match.
    Next,
    /// Previous match.
    Prev,
    /// Type an include filter.
    Include,
    /// Type an exclude filter.
    Exclude,
    /// Type where to start (tail or since).
    Start,
    /// Save the shown lines.
    SaveShown,
    /// Save the whole buffer.
    SaveAll,
    /// Start or clear a selection.
    Mark,
    /// Copy the selection through the terminal (OSC 52).
    Copy,
}

impl LogAction {
    /// Short description for help and the footer.
    pub fn describe(self, view: Option<&LogView>) -> String {
        let on = |b: bool| if b { "on" } else { "off" };
        match (self, view) {
            (LogAction::Follow, Some(v)) => format!("follow: {}", on(v.follow)),
            (LogAction::Wrap, Some(v)) => format!("wrap: {}", on(v.wrap)),
            (LogAction::Timestamps, Some(v)) => format!("timestamps: {}", on(v.timestamps)),
            (LogAction::Previous, Some(v)) => format!("previous: {}", on(v.params.previous)),
            (LogAction::Json, Some(v)) => format!("json: {:?}", v.json).to_lowercase(),
            (a, _) => match a {
                LogAction::Follow => "follow",
                LogAction::Bottom => "newest + follow",
                LogAction::Top => "oldest",
                LogAction::Up => "up",
                LogAction::Down => "down",
                LogAction::PageUp => "page up",
                LogAction::PageDown => "page down",
                LogAction::Left => "scroll left",
                LogAction::Right => "scroll right",
                LogAction::FarLeft => "scroll left fast",
                LogAction::FarRight => "scroll right fast",
                LogAction::Wrap => "wrap",
                LogAction::Timestamps => "timestamps",
                LogAction::Previous => "previous container",
                LogAction::Json => "json raw/fields/indented",
                LogAction::Prefix => "pod/container prefix",
                LogAction::Search => "search",
                LogAction::Next => "next match",
                LogAction::Prev => "previous match",
                LogAction::Include => "include regex",
                LogAction::Exclude => "exclude regex",
                LogAction::Start => "tail/since",
                LogAction::SaveShown => "save shown",
                LogAction::SaveAll => "save buffer",
                LogAction::Mark => "select from here",
                LogAction::Copy => "copy (OSC 52)",
            }
            .to_string(),
        }
    }
}

/// One key of the log view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogKey {
    /// The key.
    pub code: KeyCode,
    /// Control held.
    pub ctrl: bool,
    /// What it does.
    pub action: LogAction,
    /// Shown in the footer.
    pub footer: bool,
}

const fn k(code: KeyCode, action: LogAction, footer: bool) -> LogKey {
    LogKey {
        code,
        ctrl: false,
        action,
        footer,
    }
}

/// The log view's keys; anything else falls through to the global key map (q, ?, :, esc).
pub fn log_keymap() -> Vec<LogKey> {
    use KeyCode::*;
    use LogAction as A;
    vec![
        k(Char('f'), A::Follow, true),
        k(Char('/'), A::Search, true),
        k(Char('i'), A::Include, true),
        k(Char('x'), A::Exclude, true),
        k(Char('s'), A::SaveShown, true),
        k(Char('y'), A::Copy, true),
        k(Char('t'), A::Timestamps, true),
        k(Char('w'), A::Wrap, true),
        k(Char('p'), A::Previous, true),
        k(Char('J'), A::Json, true),
        k(Char('T'), A::Start, true),
        k(Char('n'), A::Next, false),
        k(Char('N'), A::Prev, false),
        k(Char('S'), A::SaveAll, false),
        k(Char('v'), A::Mark, false),
        k(Char('c'), A::Prefix, false),
        k(Char('G'), A::Bottom, false),
        k(End, A::Bottom, false),
        k(Char('g'), A::Top, false),
        k(Home, A::Top, false),
        k(Char('j'), A::Down, false),
        k(Down, A::Down, false),
        k(Char('k'), A::Up, false),
        k(Up, A::Up, false),
        k(PageDown, A::PageDown, false),
        LogKey {
            code: Char('f'),
            ctrl: true,
            action: A::PageDown,
            footer: false,
        },
        k(PageUp, A::PageUp, false),
        LogKey {
            code: Char('u'),
            ctrl: true,
            action: A::PageUp,
            footer: false,
        },
        k(Char('h'), A::Left, false),
        k(Left, A::Left, false),
        k(Char('l'), A::Right, false),
        k(Right, A::Right, false),
        k(Char('H'), A::FarLeft, false),
        k(Char('L'), A::FarRight, false),
    ]
}

/// How a log key is written in help and the footer.
pub fn label(key: &LogKey) -> String {
    let mods = if key.ctrl {
        KeyModifiers::CONTROL
    } else {
        KeyModifiers::NONE
    };
    crate::app::keys::Key::from_event(&crossterm::event::KeyEvent::new(key.code, mods)).label()
}

/// What a key did: effects, and a message for the user.
#[derive(Debug, Default)]
pub struct Outcome {
    /// I/O to perform.
    pub effects: Vec<Effect>,
    /// A toast (text, is an error).
    pub toast: Option<(String, bool)>,
}

impl Outcome {
    fn say(text: impl Into<String>, error: bool) -> Outcome {
        Outcome {
            effects: vec![],
            toast: Some((text.into(), error)),
        }
    }
}

/// Handle a key in the log view; None: not a log key (the global key map gets it).
pub fn on_key(view: &mut LogView, key: &KeyEvent, page: usize) -> Option<Outcome> {
    if view.prompt.is_some() {
        return Some(prompt_key(view, key, page));
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if key.code == KeyCode::Esc {
        // Esc peels off one layer at a time; with nothing left it leaves the view.
        if view.mark.take().is_some() {
            return Some(Outcome::default());
        }
        if view.search.take().is_some() {
            return Some(Outcome::default());
        }
        if view.include.is_some() || view.exclude.is_some() {
            view.include = None;
            view.exclude = None;
            view.refilter();
            return Some(Outcome::default());
        }
        return None;
    }
    let action = log_keymap()
        .into_iter()
        .find(|b| b.code == key.code && b.ctrl == ctrl)?
        .action;
    Some(act(view, action, page))
}

fn open(view: &mut LogView, prompt: Prompt, initial: &str) {
    let mut ta = TextArea::new(vec![initial.to_string()]);
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    view.prompt = Some((prompt, ta));
}

/// Perform a log action.
pub fn act(view: &mut LogView, action: LogAction, page: usize) -> Outcome {
    use LogAction as A;
    let page = page.max(1);
    match action {
        A::Follow if view.follow => view.hold(page),
        A::Follow | A::Bottom => view.follow_on(),
        A::Top => {
            if !view.is_empty() {
                view.set_cursor(0, page);
            }
        }
        A::Up => view.move_by(-1, page),
        A::Down => view.move_by(1, page),
        A::PageUp => view.move_by(-(page as isize), page),
        A::PageDown => view.move_by(page as isize, page),
        A::Left => view.hscroll = view.hscroll.saturating_sub(8),
        A::Right => view.hscroll += 8,
        A::FarLeft => view.hscroll = 0,
        A::FarRight => view.hscroll += 80,
        A::Wrap => view.wrap = !view.wrap,
        A::Timestamps => view.timestamps = !view.timestamps,
        A::Prefix => view.prefix = Some(!view.show_prefix()),
        A::Json => {
            view.json = match view.json {
                JsonMode::Raw => JsonMode::Fields,
                JsonMode::Fields => JsonMode::Indented,
                JsonMode::Indented => JsonMode::Raw,
            }
        }
        A::Previous => {
            let mut params = view.params.clone();
            params.previous = !params.previous;
            return restart(view, params);
        }
        A::Search => {
            let text = view.search.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
            open(view, Prompt::Search, &text);
        }
        A::Include => {
            let text = view.include.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
            open(view, Prompt::Include, &text);
        }
        A::Exclude => {
            let text = view.exclude.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
            open(view, Prompt::Exclude, &text);
        }
        A::Start => {
            let text = match (view.params.tail, view.params.since_seconds) {
                (_, Some(s)) => format!("{s}s"),
                (Some(n), None) => n.to_string(),
                (None, None) => "all".into(),
            };
            open(view, Prompt::Start, &text);
        }
        A::SaveShown | A::SaveAll => {
            let prompt = if action == A::SaveShown {
                Prompt::SaveShown
            } else {
                Prompt::SaveAll
            };
            open(view, prompt, &format::default_file(&view.target));
        }
        A::Next | A::Prev => {
            if view.search.is_none() {
                return Outcome::say("no search: press / first", true);
            }
            if !view.find(action == A::Next, false, page) {
                return Outcome::say("no more matches", false);
            }
        }
        A::Mark => {
            view.mark = match view.mark {
                Some(_) => None,
                None => {
                    // Selecting holds the view still, so the lines do not move under the selection.
                    view.hold(page);
                    Some(view.cursor)
                }
            }
        }
        A::Copy => {
            let seqs = view.selection();
            if seqs.is_empty() {
                return Outcome::say("nothing to copy", true);
            }
            let text = seqs
                .iter()
                .map(|&s| format::plain(view, s))
                .collect::<Vec<_>>()
                .join("\n");
            view.mark = None;
            return Outcome {
                effects: vec![Effect::Copy(text)],
                toast: Some((
                    format!("copied {} line(s) to the clipboard (OSC 52)", seqs.len()),
                    false,
                )),
            };
        }
    }
    Outcome::default()
}

fn restart(view: &mut LogView, params: Params) -> Outcome {
    let session = next_session();
    view.restart(params.clone(), session);
    Outcome {
        effects: vec![Effect::Logs {
            session,
            target: view.target.clone(),
            params,
        }],
        toast: None,
    }
}

fn prompt_key(view: &mut LogView, key: &KeyEvent, page: usize) -> Outcome {
    let Some((prompt, mut ta)) = view.prompt.take() else {
        return Outcome::default();
    };
    let text = ta.lines().join(" ").trim().to_string();
    match key.code {
        KeyCode::Esc => {
            if prompt == Prompt::Search {
                view.search = None;
            }
            Outcome::default()
        }
        KeyCode::Enter => submit(view, prompt, &text, page),
        _ => {
            ta.input(*key);
            let text = ta.lines().join(" ");
            view.prompt = Some((prompt, ta));
            // Search highlights as you type; an unfinished pattern keeps the last good one.
            if prompt == Prompt::Search
                && let Ok(re) = compile(&text)
            {
                view.search = re;
            }
            Outcome::default()
        }
    }
}

fn submit(view: &mut LogView, prompt: Prompt, text: &str, page: usize) -> Outcome {
    match prompt {
        Prompt::Search => match compile(text) {
            Ok(re) => {
                view.search = re;
                if view.search.is_none() {
                    return Outcome::default();
                }
                // From the bottom the newest match is the interesting one; else search on downwards.
                let found = if view.follow {
                    view.find(false, true, page)
                } else {
                    view.find(true, true, page)
                };
                if found {
                    Outcome::default()
                } else {
                    Outcome::say(format!("no line matches /{text}/"), false)
                }
            }
            Err(e) => Outcome::say(e, true),
        },
        Prompt::Include | Prompt::Exclude => match compile(text) {
            Ok(re) => {
                if prompt == Prompt::Include {
                    view.include = re;
                } else {
                    view.exclude = re;
                }
                view.refilter();
                Outcome::default()
            }
            Err(e) => Outcome::say(e, true),
        },
        Prompt::Start => match parse_start(text) {
            Ok((tail, since_seconds)) => {
                let params = Params {
                    tail,
                    since_seconds,
                    ..view.params.clone()
                };
                restart(view, params)
            }
            Err(e) => Outcome::say(e, true),
        },
        Prompt::SaveShown | Prompt::SaveAll => {
            if text.is_empty() {
                return Outcome::say("no file name given: nothing saved", true);
            }
            let (text_out, n) = format::export(view, prompt == Prompt::SaveShown);
            Outcome {
                effects: vec![Effect::Save {
                    path: text.to_string(),
                    text: text_out,
                    lines: n,
                }],
                toast: None,
            }
        }
    }
}

/// "500" → tail 500; "5m", "2h", "1d", "30s" → since; "all" → everything the server keeps.
pub fn parse_start(text: &str) -> Result<(Option<i64>, Option<i64>), String> {
    let t = text.trim();
    if t.is_empty() || t == "all" {
        return Ok((None, None));
    }
    if let Ok(n) = t.parse::<i64>() {
        return if n >= 0 {
            Ok((Some(n), None))
        } else {
            Err(format!("tail must be 0 or more, not {n}"))
        };
    }
    let (num, unit) = t.split_at(t.len() - 1);
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "{t:?}: give a line count (500), a duration (30s, 5m, 2h, 1d) or all"
            ));
        }
    };
    match num.parse::<i64>() {
        Ok(n) if n > 0 => Ok((None, Some(n * mult))),
        _ => Err(format!(
            "{t:?}: give a line count (500), a duration (30s, 5m, 2h, 1d) or all"
        )),
    }
}
