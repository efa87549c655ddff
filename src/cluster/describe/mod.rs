//! `kubectl describe`, written natively for typed objects (`k8s.io/kubectl/pkg/describe`).
//!
//! Each describer writes kubectl's tab-separated text through [`Out`] and the text is aligned the way
//! Go's `text/tabwriter` aligns it (min width 0, padding 2), so the layout matches kubectl's; cells are
//! measured in screen columns (per grapheme) where tabwriter counts runes, so wide text stays aligned.

pub mod events;
pub mod fetch;
pub mod generic;
pub mod misc;
pub mod node;
pub mod pod;
pub mod workloads;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Pod, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::Value;

use super::Kind;

/// Objects a describe needs besides the object itself, fetched alongside it.
#[derive(Debug, Clone, Default)]
pub struct Related {
    /// Events about the object.
    pub events: Vec<Event>,
    /// Pods on a node, or pods a workload controls.
    pub pods: Vec<Pod>,
    /// ReplicaSets of a Deployment.
    pub replica_sets: Vec<ReplicaSet>,
    /// A node's heartbeat lease.
    pub lease: Option<Lease>,
}

/// Describe an object of `kind` given as JSON; kinds without a bespoke describer get a generic summary.
pub fn describe(kind: Kind, obj: &Value, rel: &Related, now: Timestamp) -> Result<Vec<String>, serde_json::Error> {
    fn typed<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, serde_json::Error> {
        serde_json::from_value(v.clone())
    }
    let ev = &rel.events;
    Ok(match kind {
        Kind::Pod => pod::describe_pod(&typed(obj)?, ev, now),
        Kind::Node => node::describe_node(&typed(obj)?, rel, now),
        Kind::Service => misc::describe_service(&typed(obj)?, ev, now),
        Kind::Deployment => workloads::describe_deployment(&typed(obj)?, &rel.replica_sets, ev, now),
        Kind::ReplicaSet => workloads::describe_replica_set(&typed(obj)?, &rel.pods, ev, now),
        Kind::StatefulSet => workloads::describe_stateful_set(&typed(obj)?, &rel.pods, ev, now),
        Kind::DaemonSet => workloads::describe_daemon_set(&typed(obj)?, &rel.pods, ev, now),
        Kind::Job => workloads::describe_job(&typed(obj)?, ev, now),
        Kind::CronJob => workloads::describe_cron_job(&typed(obj)?, ev, now),
        Kind::Namespace => misc::describe_namespace(&typed(obj)?),
        Kind::Event | Kind::EndpointSlice | Kind::Other(_) => match crate::kinds::of(kind).and_then(|x| x.describe) {
            // A kind's extras (`kinds/`) may know kubectl's describer for it (a Secret's values never shown).
            Some(describer) => describer(obj, ev, now)?,
            None => generic::describe_generic(obj, ev, now),
        },
    })
}

/// Collects kubectl's `PrefixWriter` output: two spaces per level, cells separated by tabs.
#[derive(Debug, Default)]
pub struct Out {
    buf: String,
}

impl Out {
    /// Write `text` (tabs separate cells, `\n` ends lines) indented by `level`.
    pub fn w(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.buf.push_str("  ");
        }
        self.buf.push_str(text);
    }

    /// Write a `Key:\tvalue` line.
    pub fn kv(&mut self, level: usize, key: &str, value: impl std::fmt::Display) {
        self.w(level, &format!("{key}:\t{value}\n"));
    }

    /// The aligned lines.
    pub fn finish(self) -> Vec<String> {
        tabulate(&self.buf)
    }
}

/// Align tab-separated text as Go's `tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)` does: a column block is
/// a run of consecutive lines that have a tab-terminated cell in that column.
pub fn tabulate(text: &str) -> Vec<String> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = vec![String::new(); lines.len()];
    let mut widths = Vec::new();
    format_block(&lines, &mut widths, 0, lines.len(), &mut out);
    out
}

fn format_block(lines: &[Vec<&str>], widths: &mut Vec<usize>, lo: usize, hi: usize, out: &mut [String]) {
    let column = widths.len();
    let mut line0 = lo;
    let mut this = lo;
    while this < hi {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, widths, line0, this, out);
        line0 = this;
        let mut width = 0;
        while this < hi && column + 1 < lines[this].len() {
            width = width.max(crate::ui::clean::width(lines[this][column]) + 2);
            this += 1;
        }
        widths.push(width);
        format_block(lines, widths, line0, this, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, widths, line0, hi, out);
}

fn write_lines(lines: &[Vec<&str>], widths: &[usize], lo: usize, hi: usize, out: &mut [String]) {
    for i in lo..hi {
        let mut s = String::new();
        for (j, cell) in lines[i].iter().enumerate() {
            s.push_str(cell);
            if let Some(w) = widths.get(j) {
                let pad = w.saturating_sub(crate::ui::clean::width(cell));
                s.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out[i] = s;
    }
}

/// Go's `time.RFC1123Z` ("Mon, 02 Jan 2006 15:04:05 -0700"), in UTC.
pub fn rfc1123z(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// An optional `Time` as RFC1123Z, or "<unset>".
pub fn time_or_unset(t: Option<&Time>) -> String {
    t.map_or_else(|| "<unset>".into(), |t| rfc1123z(t.0))
}

/// `printLabelsMultiline`: one `k=v` per line under `title`, "<none>" when empty.
pub fn labels_multiline(o: &mut Out, title: &str, labels: Option<&BTreeMap<String, String>>) {
    match labels.filter(|l| !l.is_empty()) {
        None => o.w(0, &format!("{title}:\t<none>\n")),
        Some(l) => {
            for (i, (k, v)) in l.iter().enumerate() {
                let head = if i == 0 { format!("{title}:") } else { String::new() };
                o.w(0, &format!("{head}\t{k}={v}\n"));
            }
        }
    }
}

/// kubectl shortens annotations longer than this, or multi-line ones, onto their own lines.
const MAX_ANNOTATION_LEN: usize = 140;

/// `printAnnotationsMultiline`: `k: v` per line, skipping the last-applied configuration.
pub fn annotations_multiline(o: &mut Out, title: &str, ann: Option<&BTreeMap<String, String>>) {
    let shown: Vec<_> = ann
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "kubectl.kubernetes.io/last-applied-configuration")
        .collect();
    if shown.is_empty() {
        o.w(0, &format!("{title}:\t<none>\n"));
        return;
    }
    let indent = " ".repeat(title.chars().count() + 2);
    for (i, (k, v)) in shown.into_iter().enumerate() {
        let head = if i == 0 { format!("{title}:") } else { String::new() };
        let v = v.strip_suffix('\n').unwrap_or(v);
        if k.len() + v.len() + 2 > MAX_ANNOTATION_LEN || v.contains('\n') {
            o.w(0, &format!("{head}\t{k}:\n"));
            for part in v.split('\n') {
                o.w(0, &format!("{indent}  {}\n", shorten(part, MAX_ANNOTATION_LEN - 2)));
            }
        } else {
            o.w(0, &format!("{head}\t{k}: {v}\n"));
        }
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}...", s.chars().take(max).collect::<String>())
    } else {
        s.to_string()
    }
}

/// `printPodTolerationsMultiline`: `key=value:Effect op=Exists for 300s` per line.
pub fn tolerations_multiline(o: &mut Out, title: &str, tols: &[Toleration]) {
    if tols.is_empty() {
        o.w(0, &format!("{title}:\t<none>\n"));
        return;
    }
    for (i, t) in tols.iter().enumerate() {
        let head = if i == 0 { format!("{title}:") } else { String::new() };
        let mut s = t.key.clone().unwrap_or_default();
        let value = t.value.as_deref().unwrap_or("");
        if !value.is_empty() {
            s.push_str(&format!("={value}"));
        }
        if let Some(e) = t.effect.as_deref().filter(|e| !e.is_empty()) {
            s.push_str(&format!(":{e}"));
        }
        if t.operator.as_deref() == Some("Exists") && value.is_empty() {
            s.push_str(if s.is_empty() { "op=Exists" } else { " op=Exists" });
        }
        if let Some(secs) = t.toleration_seconds {
            s.push_str(&format!(" for {secs}s"));
        }
        o.w(0, &format!("{head}\t{s}\n"));
    }
}

/// `printController`: "Kind/name" of the controlling owner, if any.
pub fn controlled_by(meta: &ObjectMeta) -> Option<String> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| format!("{}/{}", r.kind, r.name))
}

/// Name and namespace lines plus labels and annotations, the head of most describes.
pub fn head(o: &mut Out, meta: &ObjectMeta, namespaced: bool) {
    o.kv(0, "Name", meta.name.as_deref().unwrap_or(""));
    if namespaced {
        o.kv(0, "Namespace", meta.namespace.as_deref().unwrap_or(""));
    }
}

/// Go's `%v` of a bool as kubectl's `printBool` writes it ("True"/"False").
pub fn print_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}
