//! Everything that talks to (or describes) a Kubernetes API server; knows nothing of the screen.

pub mod client;
pub mod config_error;
pub mod counters;
pub mod crds;
pub mod describe;
pub mod discovery;
pub mod errors;
pub mod health;
pub mod liveness;
pub mod logs;
pub mod namespaces;
pub mod nodehealth;
pub mod notice;
pub mod ops;
pub mod portforward;
pub mod related;
pub mod rows;
pub mod table_watch;
pub mod trim;
pub mod watch;

pub use model::{Kind, Scope, printers};
