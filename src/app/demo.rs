//! The built-in demo cluster as the screen presents it: marked in the header for as long as it is
//! on, and, when it started because no kubeconfig was found, explained by a first-screen notice.

pub use super::state::Demo;
use super::state::State;

/// Close the notice if it is up; true when the key was spent on that (any key dismisses it).
pub fn dismiss(state: &mut State) -> bool {
    match &mut state.demo {
        Some(d) if d.notice => {
            d.notice = false;
            true
        }
        _ => false,
    }
}
