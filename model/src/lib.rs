//! kubedeck's vocabulary as plain data and pure functions: the kinds, compact rows, kubectl's
//! printers and label selectors. No I/O, no async runtime: the app and the demo cluster share it.
#![deny(missing_docs)]

mod kind;
pub mod labels;
pub mod ops;
pub mod printers;
pub mod quantity;
pub mod registry;
pub mod rows;
pub mod table;
pub mod triage;
pub mod watch_status;

pub use kind::{Kind, Res, Scope};
pub use labels::LabelSelector;
pub use ops::{ObjRef, Op, Outcome, Propagation, Success};
pub use registry::{Registry, Resource};
pub use rows::Row;
pub use watch_status::WatchStatus;
