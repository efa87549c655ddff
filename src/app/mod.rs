//! The state of the screen and the pure function that changes it.

pub mod action;
pub mod applies;
pub mod columns;
pub mod controlplane;
pub mod counts;
pub mod demo;
pub mod dialog;
pub mod edit;
pub mod effect;
pub mod event;
pub mod help;
pub mod keys;
pub mod logs;
pub mod messages;
pub mod namespaces;
pub mod nav;
pub mod nodehealth;
pub mod pattern;
pub mod question;
pub mod sessions;
pub mod state;
pub mod table;
pub mod text;
pub mod update;
pub mod workload;

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
