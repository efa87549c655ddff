//! HorizontalPodAutoscalers: `enter` leads to the object they scale (`spec.scaleTargetRef`).

use super::extra::{Extras, Found, Link, group_of, id};

/// An HPA's extras.
pub static EXTRAS: &[Extras] = &[Extras {
    group: "autoscaling",
    kind: "HorizontalPodAutoscaler",
    enter: Some(Link {
        needs: &[],
        resolve: |obj, _| {
            let target = &obj["spec"]["scaleTargetRef"];
            match (target["kind"].as_str(), target["name"].as_str()) {
                (Some(kind), Some(name)) => {
                    let group = group_of(target["apiVersion"].as_str().unwrap_or_default());
                    Ok(vec![Found::named(group, kind, vec![(id(obj).0, name.into())])])
                }
                _ => Err("its scaleTargetRef names no object".into()),
            }
        },
        what: "scaled by",
        none: "no target",
    }),
    ..Extras::NONE
}];
