//! kubedeck: a terminal dashboard for Kubernetes, with a built-in demo cluster.

pub mod app;
#[cfg(feature = "bench")]
pub mod bench_support;
pub mod cli;
pub mod clipboard;
pub mod cluster;
pub mod config;
pub mod labels;
pub mod logging;
pub mod run;
pub mod run_header;
pub mod run_ops;
pub mod run_save;
pub mod save;
pub mod screens;
pub mod sgr16;
pub mod sim;
#[cfg(test)]
mod test_util;
pub mod tui;
pub mod ui;
pub mod yamlpath;
