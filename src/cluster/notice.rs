//! What the cache tells the event loop: which kind to re-read, or that contact changed.

use super::Kind;

/// A data-less message from the cache: re-read what you show of this kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Objects or the watch status of this kind changed.
    Changed(Kind),
    /// Contact with the API server was lost or came back.
    Contact,
}
