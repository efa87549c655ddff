//! PersistentVolumes: `enter` leads to the claim bound to the volume (`spec.claimRef`).

use super::extra::{Extras, Found, Link};

/// A volume's extras.
pub static EXTRAS: &[Extras] = &[Extras {
    group: "",
    kind: "PersistentVolume",
    enter: Some(Link {
        needs: &[],
        resolve: |obj, _| {
            let claim = &obj["spec"]["claimRef"];
            match (claim["namespace"].as_str(), claim["name"].as_str()) {
                (Some(ns), Some(name)) => {
                    let objects = vec![(ns.to_string(), name.to_string())];
                    Ok(vec![Found::named("", "PersistentVolumeClaim", objects)])
                }
                _ => Err("no claim is bound to it".into()),
            }
        },
        what: "bound to",
        none: "no claim",
    }),
    ..Extras::NONE
}];
