//! kubedeck: a terminal dashboard for Kubernetes, with a built-in demo cluster.
#![deny(missing_docs)]

pub mod app;
#[cfg(feature = "bench")]
pub mod bench_support;
pub mod cli;
pub mod clipboard;
pub mod cluster;
pub mod config;
pub mod demo;
pub mod exec;
pub mod history;
pub mod kinds;
pub use model::labels;
pub mod logging;
pub mod memory;
pub mod run;
mod save;
pub mod screens;
mod sgr16;
pub mod store;
#[cfg(test)]
mod test_util;
pub mod tui;
pub mod ui;
mod yamlpath;
