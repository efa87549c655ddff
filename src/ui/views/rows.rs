//! Compact row projections of watched objects. Minimal on purpose:
//! replaced by cluster::printers on merge (kubectl-exact columns live there).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::ResourceExt;

use crate::app::table::Row;
use crate::cluster::Kind;
use crate::cluster::cache::Snapshot;

/// The kind-specific column titles (between NAME and AGE). Replaced by cluster::printers on merge.
pub fn columns(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pod => &["STATUS", "NODE"],
        Kind::Node => &["VERSION"],
        Kind::Service => &["TYPE", "CLUSTER-IP"],
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet => &["READY"],
        Kind::DaemonSet => &["DESIRED", "READY"],
        Kind::Job => &["COMPLETIONS"],
        Kind::CronJob => &["SCHEDULE", "SUSPEND"],
        Kind::Namespace => &["STATUS"],
        Kind::Event => &["TYPE", "REASON", "OBJECT", "MESSAGE"],
    }
}

fn base(meta: &ObjectMeta, labels: &BTreeMap<String, String>, cells: Vec<String>) -> Row {
    Row {
        key: meta.uid.clone().unwrap_or_else(|| {
            format!(
                "{}/{}",
                meta.namespace.as_deref().unwrap_or(""),
                meta.name.as_deref().unwrap_or("")
            )
        }),
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
        cells,
        created: meta.creation_timestamp.as_ref().map(|t| t.0.as_second()),
        labels: labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        selector: None,
        node: None,
    }
}

fn match_labels(sel: Option<&LabelSelector>) -> Option<Vec<(String, String)>> {
    let labels = sel?.match_labels.as_ref()?;
    Some(labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

fn ratio(a: Option<i32>, b: Option<i32>) -> String {
    format!("{}/{}", a.unwrap_or(0), b.unwrap_or(0))
}

/// Project every object of a snapshot to a row. Replaced by cluster::printers on merge.
pub fn project(snapshot: &Snapshot) -> Vec<Row> {
    macro_rules! each {
        ($store:expr, |$o:ident| $cells:expr, $extra:expr) => {
            $store
                .state()
                .iter()
                .map(|$o| {
                    let mut row = base(&$o.metadata, $o.labels(), $cells);
                    #[allow(clippy::redundant_closure_call)]
                    ($extra)(&mut row);
                    row
                })
                .collect()
        };
    }
    let none = |_: &mut Row| {};
    match snapshot {
        Snapshot::Pod(s) => each!(
            s,
            |p| {
                let phase = p.status.as_ref().and_then(|st| st.phase.clone()).unwrap_or_default();
                let phase = if p.metadata.deletion_timestamp.is_some() {
                    "Terminating".into()
                } else {
                    phase
                };
                let node = p
                    .spec
                    .as_ref()
                    .and_then(|sp| sp.node_name.clone())
                    .unwrap_or_else(|| "<none>".into());
                vec![phase, node]
            },
            |r: &mut Row| r.node = r.cells.get(1).cloned()
        ),
        Snapshot::Node(s) => each!(
            s,
            |n| vec![
                n.status
                    .as_ref()
                    .and_then(|st| st.node_info.as_ref())
                    .map_or(String::new(), |i| i.kubelet_version.clone())
            ],
            none
        ),
        Snapshot::Service(s) => workloads(s.state().iter().map(|o| {
            let spec = o.spec.as_ref();
            let cells = vec![
                spec.and_then(|sp| sp.type_.clone())
                    .unwrap_or_else(|| "ClusterIP".into()),
                spec.and_then(|sp| sp.cluster_ip.clone())
                    .unwrap_or_else(|| "<none>".into()),
            ];
            let sel = spec
                .and_then(|sp| sp.selector.as_ref())
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
            (base(&o.metadata, o.labels(), cells), sel)
        })),
        Snapshot::Deployment(s) => workloads(s.state().iter().map(|o| {
            let st = o.status.as_ref();
            let spec = o.spec.as_ref();
            let cells = vec![ratio(st.and_then(|x| x.ready_replicas), spec.and_then(|x| x.replicas))];
            (
                base(&o.metadata, o.labels(), cells),
                match_labels(spec.map(|x| &x.selector)),
            )
        })),
        Snapshot::ReplicaSet(s) => workloads(s.state().iter().map(|o| {
            let st = o.status.as_ref();
            let spec = o.spec.as_ref();
            let cells = vec![ratio(st.and_then(|x| x.ready_replicas), spec.and_then(|x| x.replicas))];
            (
                base(&o.metadata, o.labels(), cells),
                match_labels(spec.map(|x| &x.selector)),
            )
        })),
        Snapshot::StatefulSet(s) => workloads(s.state().iter().map(|o| {
            let st = o.status.as_ref();
            let spec = o.spec.as_ref();
            let cells = vec![ratio(st.and_then(|x| x.ready_replicas), spec.and_then(|x| x.replicas))];
            (
                base(&o.metadata, o.labels(), cells),
                match_labels(spec.map(|x| &x.selector)),
            )
        })),
        Snapshot::DaemonSet(s) => workloads(s.state().iter().map(|o| {
            let st = o.status.as_ref();
            let cells = vec![
                st.map_or(0, |x| x.desired_number_scheduled).to_string(),
                st.map_or(0, |x| x.number_ready).to_string(),
            ];
            (
                base(&o.metadata, o.labels(), cells),
                match_labels(o.spec.as_ref().map(|x| &x.selector)),
            )
        })),
        Snapshot::Job(s) => workloads(s.state().iter().map(|o| {
            let spec = o.spec.as_ref();
            let cells = vec![ratio(
                o.status.as_ref().and_then(|x| x.succeeded),
                spec.and_then(|x| x.completions),
            )];
            (
                base(&o.metadata, o.labels(), cells),
                match_labels(spec.and_then(|x| x.selector.as_ref())),
            )
        })),
        Snapshot::CronJob(s) => each!(
            s,
            |o| {
                let spec = o.spec.as_ref();
                vec![
                    spec.map(|x| x.schedule.clone()).unwrap_or_default(),
                    if spec.and_then(|x| x.suspend).unwrap_or(false) {
                        "True"
                    } else {
                        "False"
                    }
                    .into(),
                ]
            },
            none
        ),
        Snapshot::Namespace(s) => {
            each!(
                s,
                |o| vec![o.status.as_ref().and_then(|x| x.phase.clone()).unwrap_or_default()],
                none
            )
        }
        Snapshot::Event(s) => each!(
            s,
            |e| {
                let obj = &e.involved_object;
                vec![
                    e.type_.clone().unwrap_or_default(),
                    e.reason.clone().unwrap_or_default(),
                    format!(
                        "{}/{}",
                        obj.kind.as_deref().unwrap_or("").to_lowercase(),
                        obj.name.as_deref().unwrap_or("")
                    ),
                    e.message.clone().unwrap_or_default().replace('\n', " "),
                ]
            },
            none
        ),
    }
}

fn workloads(it: impl Iterator<Item = (Row, Option<Vec<(String, String)>>)>) -> Vec<Row> {
    it.map(|(mut row, sel)| {
        row.selector = sel;
        row
    })
    .collect()
}

/// kubectl's age format (apimachinery `duration.HumanDuration`). Replaced by cluster::printers on merge.
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn ages_read_like_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(150), "2m30s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(3 * 3600 + 5 * 60), "3h5m");
        assert_eq!(human_duration(30 * 3600), "30h");
        assert_eq!(human_duration(3 * 86400 + 3600), "3d1h");
        assert_eq!(human_duration(100 * 86400), "100d");
        assert_eq!(human_duration(3 * 365 * 86400 + 86400), "3y1d");
    }
}
