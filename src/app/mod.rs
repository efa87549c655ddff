//! The state of the screen and the pure function that changes it.

pub mod action;
pub mod applies;
pub mod cmdline;
pub mod columns;
pub mod controlplane;
pub mod counts;
pub mod debugging;
pub mod demo;
pub mod dialog;
pub mod discovery;
pub mod edit;
pub mod effect;
pub mod event;
pub mod forwards;
pub mod help;
pub mod keys;
pub mod logs;
pub mod messages;
pub mod namespaces;
pub mod nav;
pub mod nodehealth;
pub mod owner;
pub mod pattern;
pub mod pick;
pub mod portforward;
pub mod prompt;
pub mod question;
pub mod run_cmd;
pub mod sessions;
pub mod state;
pub mod table;
pub mod text;
pub mod triage;
pub mod triage_rows;
pub mod update;
pub mod verbs;
pub mod workload;
pub mod xray;

pub use action::Action;
pub use effect::Effect;
pub use event::Input;
pub use state::State;
pub use update::update;

#[cfg(test)]
mod update_tests;

#[cfg(test)]
mod screen_tests;

#[cfg(test)]
mod workload_tests;

#[cfg(test)]
mod health_update_tests;

#[cfg(test)]
mod anykind_tests;

#[cfg(test)]
mod marks_tests;

#[cfg(test)]
mod portforward_tests;
#[cfg(test)]
mod usage_tests;
