//! CPU and MEM of Deployments, StatefulSets and DaemonSets: the sum over the pods they own, found
//! in the pods the store caches through ownerReferences (a Deployment's through its ReplicaSets),
//! from one LIST of the scope's PodMetrics (`store::usage`), never a request per pod.

use std::collections::HashMap;
use std::sync::Arc;

use super::usage::{cpu_text, mem_text};
use crate::cluster::Kind;
use crate::cluster::rows::Row;
use crate::store::enrich::{Enricher, Needs};
use crate::store::usage::{Sample, Used};

/// The usage summed per owner uid (the workload's): each pod's counted once, under its owner, or
/// its ReplicaSet's owner when `replica_sets` names one.
fn sums(pods: &[Arc<Row>], replica_sets: Option<&[Arc<Row>]>, usage: &Sample) -> HashMap<String, Used> {
    let rs_owner: HashMap<&str, &str> = replica_sets
        .into_iter()
        .flatten()
        .filter_map(|rs| Some((rs.key.as_str(), rs.owners.first()?.as_str())))
        .collect();
    let mut out: HashMap<String, Used> = HashMap::new();
    for p in pods {
        let Some(u) = usage.get(&p.namespace, &p.name) else {
            continue;
        };
        for owner in p.owners.iter() {
            let top = rs_owner.get(owner.as_str()).copied().unwrap_or(owner);
            let sum = out.entry(top.to_string()).or_insert(Used { cpu: 0, mem: 0 });
            sum.cpu += u.cpu;
            sum.mem += u.mem;
        }
    }
    out
}

/// One cell per workload: `text` of its pods' summed usage; empty with no sample or no pod measured.
fn cells(
    rows: &[Arc<Row>],
    pods: Option<&[Arc<Row>]>,
    replica_sets: Option<&[Arc<Row>]>,
    usage: Option<&Sample>,
    text: fn(Used) -> String,
) -> Vec<String> {
    let (Some(pods), Some(usage)) = (pods, usage) else {
        return vec![String::new(); rows.len()];
    };
    let sums = sums(pods, replica_sets, usage);
    rows.iter()
        .map(|r| sums.get(&r.key).map(|u| text(*u)).unwrap_or_default())
        .collect()
}

fn cpu(rows: &[Arc<Row>], pods: Option<&[Arc<Row>]>, rss: Option<&[Arc<Row>]>, usage: Option<&Sample>) -> Vec<String> {
    cells(rows, pods, rss, usage, |u| cpu_text(u.cpu))
}

fn mem(rows: &[Arc<Row>], pods: Option<&[Arc<Row>]>, rss: Option<&[Arc<Row>]>, usage: Option<&Sample>) -> Vec<String> {
    cells(rows, pods, rss, usage, |u| mem_text(u.mem))
}

macro_rules! pair {
    ($cpu:ident, $mem:ident, $kind:expr, $through_rs:expr) => {
        static $cpu: Enricher = Enricher {
            kind: $kind,
            title: "CPU",
            before: "AGE",
            needs: Needs::PodsUsage($through_rs, cpu),
        };
        static $mem: Enricher = Enricher {
            kind: $kind,
            title: "MEM",
            before: "AGE",
            needs: Needs::PodsUsage($through_rs, mem),
        };
    };
}

pair!(DEPLOY_CPU, DEPLOY_MEM, Kind::Deployment, true);
pair!(STS_CPU, STS_MEM, Kind::StatefulSet, false);
pair!(DS_CPU, DS_MEM, Kind::DaemonSet, false);

/// This file's enrichers.
pub static ENRICHERS: &[&Enricher] = &[&DEPLOY_CPU, &DEPLOY_MEM, &STS_CPU, &STS_MEM, &DS_CPU, &DS_MEM];

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, name: &str, owners: &[&str]) -> Arc<Row> {
        Arc::new(Row {
            key: key.into(),
            namespace: "shop".into(),
            name: name.into(),
            owners: owners.iter().map(|o| o.to_string()).collect(),
            ..Default::default()
        })
    }

    #[test]
    fn a_deployment_sums_the_pods_of_its_replica_sets_and_a_statefulset_its_own() {
        let mi = 1i128 << 20;
        let deploys = [row("d-web", "web", &[]), row("d-idle", "idle", &[])];
        let rss = [row("rs-new", "web-2", &["d-web"]), row("rs-old", "web-1", &["d-web"])];
        let pods = [
            row("p1", "web-2-a", &["rs-new"]),
            row("p2", "web-1-b", &["rs-old"]),
            row("p3", "db-0", &["s-db"]),
            row("p4", "web-2-c", &["rs-new"]),
        ];
        let used = |cpu, mem| Used { cpu, mem: mem * mi };
        let mut sample = Sample::default();
        for (name, u) in [("web-2-a", used(100, 64)), ("web-1-b", used(25, 30)), ("db-0", used(400, 512))] {
            sample.insert("shop", name, u);
        }
        // web-2-c has no sample yet: it adds nothing; idle owns no pod: empty.
        assert_eq!(cpu(&deploys, Some(&pods), Some(&rss), Some(&sample)), ["125m", ""]);
        assert_eq!(mem(&deploys, Some(&pods), Some(&rss), Some(&sample)), ["94Mi", ""]);
        let sts = [row("s-db", "db", &[])];
        assert_eq!(cpu(&sts, Some(&pods), None, Some(&sample)), ["400m"]);
        assert_eq!(cpu(&sts, Some(&pods), None, None), [""]);
        assert_eq!(cpu(&sts, None, None, Some(&sample)), [""]);
    }
}
