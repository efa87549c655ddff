//! The message log's part of `update`: opening `:messages`, and the connection and configuration
//! failures it keeps beside the toasts (a toast lasts seconds and is cut at the screen edge).

use super::effect::Effect;
use super::state::{Connection, State, View, ViewKind};

/// `:` command words that open the message log.
pub const COMMANDS: [&str; 2] = ["messages", "msg"];

/// Put the message log on top of the stack (`esc` goes back to where the user was).
pub fn open(state: &mut State) -> Vec<Effect> {
    if !matches!(state.top().kind, ViewKind::Messages { .. }) {
        state.stack.push(View::new(ViewKind::Messages { scroll: 0 }));
    }
    vec![]
}

/// The server could not be reached: the state changes, and the log keeps each new reason once
/// (retries that fail the same way add nothing).
pub fn connect_failed(state: &mut State, msg: String) {
    if state.connection != Connection::Failed(msg.clone()) {
        let at = if state.url.is_empty() {
            String::new()
        } else {
            format!(" to {}", state.url)
        };
        state.log_message(format!("not connected{at}: {msg}"), true);
    }
    state.connection = Connection::Failed(msg);
}

/// The context cannot work as configured: shown where the data would be, kept in the log, and
/// named in the header even though no client exists.
pub fn misconfigured(state: &mut State, context: Option<String>, msg: String) {
    if let Some(c) = context {
        state.context = c;
    }
    state.log_message(format!("configuration error: {msg}"), true);
    state.connection = Connection::Misconfigured(msg);
}
