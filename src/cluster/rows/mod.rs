//! The row store a list watch folds its events into; the rows themselves are `model::rows`.

mod store;

pub use model::rows::*;
pub use store::{Change, Changes, Mark, RowStore};
