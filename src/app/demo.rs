//! The built-in demo cluster as the screen presents it: marked in the header for as long as it is
//! on, and, when it started because no kubeconfig was found, explained by a first-screen notice.

use super::state::State;

/// Why the screen shows the demo cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    /// Where a kubeconfig was looked for, each with what was there (empty: `--demo` asked for it).
    pub looked_at: Vec<String>,
    /// The first-screen notice is up until a key dismisses it.
    pub notice: bool,
}

impl Demo {
    /// The demo started as a fallback after looking at `looked_at`: the notice says so.
    pub fn fallback(looked_at: Vec<String>) -> Demo {
        Demo {
            looked_at,
            notice: true,
        }
    }

    /// The demo asked for with `--demo`: marked, nothing to explain.
    pub fn asked() -> Demo {
        Demo {
            looked_at: Vec::new(),
            notice: false,
        }
    }
}

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
