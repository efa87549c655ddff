//! ConfigMaps: kubectl's describe (every value in full), the keys view, the pods that use one.

use super::extra::{Data, Extras, list};
use super::mounts::{Source, pods_using, used_by};
use crate::cluster::describe::misc::describe_config_map;

/// A ConfigMap's extras.
pub static EXTRAS: &[Extras] = &[Extras {
    group: "",
    kind: "ConfigMap",
    describe: Some(|obj, events, now| Ok(describe_config_map(&serde_json::from_value(obj.clone())?, events, now))),
    data: Some(Data::Plain),
    used_by: Some(used_by(|obj, lists| Ok(pods_using(obj, list(lists, 0), Source::ConfigMap)))),
    ..Extras::NONE
}];
