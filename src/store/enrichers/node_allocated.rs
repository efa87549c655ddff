//! The nodes' allocated resources, as `kubectl describe node` sums them under "Allocated
//! resources": the requests and limits of the pods bound to each node that have not ended, and
//! their share of the node's allocatable. Read from the pods already watched (the header's), so
//! no request of its own.

use std::collections::HashMap;
use std::sync::Arc;

use model::quantity::Capacity;

use crate::cluster::Kind;
use crate::cluster::rows::Row;
use crate::store::enrich::{Enricher, Needs};
use crate::store::enrichers::usage::{cpu_text, mem_text, percent};

/// Nodes gain `CPU R/L`: the summed CPU requests/limits of their pods and the share of allocatable.
pub static CPU: Enricher = Enricher {
    kind: Kind::Node,
    title: "CPU R/L",
    before: "AGE",
    needs: Needs::Watch(Kind::Pod, cpu_cells),
};

/// Nodes gain `MEM R/L`: the summed memory requests/limits of their pods and the share of allocatable.
pub static MEM: Enricher = Enricher {
    kind: Kind::Node,
    title: "MEM R/L",
    before: "AGE",
    needs: Needs::Watch(Kind::Pod, mem_cells),
};

/// This file's enrichers, in column order.
pub static ENRICHERS: &[&Enricher] = &[&CPU, &MEM];

/// Requests and limits summed per node: [cpu request, cpu limit, mem request, mem limit].
fn sums(pods: &[Arc<Row>]) -> HashMap<&str, [i128; 4]> {
    let mut by_node: HashMap<&str, [i128; 4]> = HashMap::new();
    for p in pods {
        let (Some(node), Some(Capacity::Pod { cpu_request, cpu_limit, mem_request, mem_limit })) =
            (p.node.as_deref(), p.capacity.as_deref())
        else {
            continue;
        };
        let s = by_node.entry(node).or_default();
        for (acc, v) in s.iter_mut().zip([cpu_request, cpu_limit, mem_request, mem_limit]) {
            *acc += i128::from(v.unwrap_or(0));
        }
    }
    by_node
}

/// "REQ/LIM (REQ%/LIM%)" per node, `text` formatting the amounts, `of` the node's allocatable;
/// "?" while the pods are not known.
fn cells(nodes: &[Arc<Row>], pods: Option<&[Arc<Row>]>, at: usize, text: fn(i128) -> String) -> Vec<String> {
    let Some(pods) = pods else {
        return vec!["?".to_string(); nodes.len()];
    };
    let sums = sums(pods);
    nodes
        .iter()
        .map(|n| {
            let [req, lim] = sums.get(n.name.as_str()).map_or([0, 0], |s| [s[at], s[at + 1]]);
            let of = match n.capacity.as_deref() {
                Some(Capacity::Node { cpu, mem }) => (if at == 0 { *cpu } else { *mem }).map(i128::from),
                _ => None,
            };
            match (percent(req, of), percent(lim, of)) {
                (Some(r), Some(l)) => format!("{}/{} ({r}%/{l}%)", text(req), text(lim)),
                _ => format!("{}/{}", text(req), text(lim)),
            }
        })
        .collect()
}

fn cpu_cells(nodes: &[Arc<Row>], pods: Option<&[Arc<Row>]>) -> Vec<String> {
    cells(nodes, pods, 0, cpu_text)
}

fn mem_cells(nodes: &[Arc<Row>], pods: Option<&[Arc<Row>]>) -> Vec<String> {
    cells(nodes, pods, 2, mem_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, node: Option<&str>, capacity: Capacity) -> Arc<Row> {
        Arc::new(Row {
            name: name.into(),
            node: node.map(Into::into),
            capacity: Some(std::sync::Arc::new(capacity)),
            ..Row::default()
        })
    }

    fn pod(node: &str, [cr, cl, mr, ml]: [Option<i64>; 4]) -> Arc<Row> {
        let cap = Capacity::Pod { cpu_request: cr, cpu_limit: cl, mem_request: mr, mem_limit: ml };
        row("p", Some(node), cap)
    }

    #[test]
    fn a_nodes_pods_are_summed_as_kubectl_describe_node_sums_them() {
        const MI: i64 = 1 << 20;
        let nodes = [
            row("worker-1", None, Capacity::Node { cpu: Some(2000), mem: Some(4096 * MI) }),
            row("worker-2", None, Capacity::Node { cpu: Some(1000), mem: None }),
        ];
        let pods = [
            pod("worker-1", [Some(250), Some(500), Some(256 * MI), Some(512 * MI)]),
            // No limits: counted as 0, as kubectl's sums count a missing amount.
            pod("worker-1", [Some(100), None, Some(128 * MI), None]),
            pod("worker-2", [Some(1500), Some(2000), None, None]),
            // Ended pods have no capacity in their row (see the pod projection): not counted.
            Arc::new(Row { node: Some("worker-1".into()), ..Row::default() }),
        ];
        assert_eq!(
            cpu_cells(&nodes, Some(&pods)),
            ["350m/500m (17%/25%)", "1500m/2000m (150%/200%)"]
        );
        assert_eq!(mem_cells(&nodes, Some(&pods)), ["384Mi/512Mi (9%/12%)", "0Mi/0Mi"]);
        assert_eq!(cpu_cells(&nodes, None), ["?", "?"]);
    }
}
