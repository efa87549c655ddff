//! PersistentVolumeClaims: `enter` leads to the volume bound to the claim, "used by" to the pods
//! that mount it.

use super::extra::{Extras, Found, Link, list};
use super::mounts::{Source, pods_using, used_by};

/// A claim's extras.
pub static EXTRAS: &[Extras] = &[Extras {
    group: "",
    kind: "PersistentVolumeClaim",
    enter: Some(Link {
        needs: &[],
        resolve: |obj, _| match obj["spec"]["volumeName"].as_str() {
            Some(pv) if !pv.is_empty() => Ok(vec![Found::named("", "PersistentVolume", vec![(String::new(), pv.into())])]),
            _ => Err("not bound to a volume yet".into()),
        },
        what: "bound to",
        none: "no volume",
    }),
    used_by: Some(used_by(|obj, lists| Ok(pods_using(obj, list(lists, 0), Source::Claim)))),
    ..Extras::NONE
}];
