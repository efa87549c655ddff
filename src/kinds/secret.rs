//! Secrets: kubectl's describe (key sizes, never values), the keys view (values masked until `x`),
//! `x` on a row decoding every value, the pods that use one.

use super::extra::{Data, Extras, list};
use super::mounts::{Source, pods_using, used_by};
use crate::cluster::describe::misc::describe_secret;

/// A Secret's extras.
pub static EXTRAS: &[Extras] = &[Extras {
    group: "",
    kind: "Secret",
    describe: Some(|obj, _events, _now| Ok(describe_secret(&serde_json::from_value(obj.clone())?))),
    data: Some(Data::Secret),
    used_by: Some(used_by(|obj, lists| Ok(pods_using(obj, list(lists, 0), Source::Secret)))),
    ..Extras::NONE
}];
