//! CustomResourceDefinitions: `enter` leads to the objects of the resource it defines.

use super::extra::{Extras, Found, Link};

/// A CRD's extras.
pub static EXTRAS: &[Extras] = &[Extras {
    group: "apiextensions.k8s.io",
    kind: "CustomResourceDefinition",
    enter: Some(Link {
        needs: &[],
        resolve: |obj, _| {
            let spec = &obj["spec"];
            match (spec["group"].as_str(), spec["names"]["kind"].as_str()) {
                (Some(group), Some(kind)) => Ok(vec![Found {
                    group: group.into(),
                    kind: kind.into(),
                    objects: None,
                }]),
                _ => Err("its spec names no group and kind".into()),
            }
        },
        what: "defined by",
        none: "no resource",
    }),
    ..Extras::NONE
}];
