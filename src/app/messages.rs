//! The connection and configuration failures the message log keeps beside the toasts (a toast
//! lasts seconds and is cut at the screen edge).

use super::state::{Connection, State};

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
