//! A LIST of PodMetrics or NodeMetrics decoded into what the usage columns read, and nothing else:
//! each object's namespace, name, sample time and usage. The JSON is read in place (strings
//! borrowed from the response's text where they hold no escape), every other field skipped unread,
//! so 10,000 pods' metrics cost no JSON value per field and no copy of their labels.

use std::borrow::Cow;

use serde::Deserialize;

use model::quantity::milli;

/// One object of a metrics LIST, as the usage poller keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metrics {
    /// Namespace ("" for a node).
    pub namespace: String,
    /// Name of the pod or node.
    pub name: String,
    /// metrics-server's `timestamp` of the sample.
    pub timestamp: String,
    /// The object's usage (a pod's summed over its containers).
    pub used: Used,
    /// A pod's usage by container (empty for a node).
    pub containers: Vec<(String, Used)>,
}

#[derive(Deserialize)]
struct Item<'a> {
    #[serde(borrow, default)]
    metadata: Meta<'a>,
    #[serde(borrow, default)]
    timestamp: Cow<'a, str>,
    /// A PodMetrics' containers.
    #[serde(borrow, default)]
    containers: Option<Vec<Container<'a>>>,
    /// A NodeMetrics' usage.
    #[serde(borrow, default)]
    usage: Quantities<'a>,
}

#[derive(Deserialize, Default)]
struct Meta<'a> {
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    namespace: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Container<'a> {
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    usage: Quantities<'a>,
}

#[derive(Deserialize, Default)]
struct Quantities<'a> {
    #[serde(borrow, default)]
    cpu: Cow<'a, str>,
    #[serde(borrow, default)]
    memory: Cow<'a, str>,
}

impl Quantities<'_> {
    /// (nanocores, bytes), 0 where a quantity is missing.
    fn raw(&self) -> (i128, i128) {
        (nanocores(&self.cpu), milli(&self.memory) / 1000)
    }
}

/// The usage of raw sums, CPU rounded up to the next millicore as `kubectl top` rounds it.
fn used((nanos, bytes): (i128, i128)) -> Used {
    Used {
        cpu: (nanos + 999_999) / 1_000_000,
        mem: bytes,
    }
}

/// One object of a LIST as the decoder hands it over: strings borrowed from the response's text.
pub struct Borrowed<'a> {
    /// Namespace ("" for a node).
    pub namespace: &'a str,
    /// Name of the pod or node.
    pub name: &'a str,
    /// metrics-server's `timestamp` of the sample.
    pub timestamp: &'a str,
    /// The object's usage (a pod's summed over its containers).
    pub used: Used,
    /// A pod's usage by container (empty for a node).
    pub containers: &'a [(Cow<'a, str>, Used)],
}

impl<'a> Item<'a> {
    /// The object as [`decode_each`] hands it to its callback, its containers gathered in `scratch`
    /// (one vector for the whole LIST, not one per object).
    fn lend<R>(self, scratch: &mut Vec<(Cow<'a, str>, Used)>, f: impl FnOnce(Borrowed<'_>) -> R) -> R {
        let is_pod = self.containers.is_some();
        let mut sum = (0, 0);
        scratch.clear();
        scratch.extend(self.containers.into_iter().flatten().map(|c| {
            let raw = c.usage.raw();
            sum = (sum.0 + raw.0, sum.1 + raw.1);
            (c.name, used(raw))
        }));
        let total = if is_pod { used(sum) } else { used(self.usage.raw()) };
        f(Borrowed {
            namespace: &self.metadata.namespace,
            name: &self.metadata.name,
            timestamp: &self.timestamp,
            used: total,
            containers: scratch,
        })
    }
}

/// Hand each object of a PodMetricsList or NodeMetricsList's JSON to `f` as it is read (no vector
/// of every object is built: at 100,000 pods that was ~30 MB alive beside the text and the sample);
/// the count of objects.
pub fn decode_each(json: &[u8], mut f: impl FnMut(Borrowed<'_>)) -> serde_json::Result<usize> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_slice(json);
    let mut scratch = Vec::new();
    let n = seed(&mut |item| item.lend(&mut scratch, &mut f)).deserialize(&mut de)?;
    de.end()?;
    Ok(n)
}

/// The objects of a PodMetricsList or NodeMetricsList's JSON, as [`decode_each`] hands them over
/// (tests compare it with the full decoder).
#[cfg(test)]
pub fn decode(json: &str) -> serde_json::Result<Vec<Metrics>> {
    let mut out = Vec::new();
    decode_each(json.as_bytes(), |m| {
        out.push(Metrics {
            namespace: m.namespace.into(),
            name: m.name.into(),
            timestamp: m.timestamp.into(),
            used: m.used,
            containers: m.containers.iter().map(|(n, u)| (n.to_string(), *u)).collect(),
        })
    })?;
    Ok(out)
}

/// The seed of a LIST whose items go to `f` (a function, so that a closure's item takes the text's
/// one lifetime rather than any).
fn seed<'de, F: FnMut(Item<'de>)>(f: &mut F) -> ListSeed<'_, F> {
    ListSeed(f)
}

/// A LIST's JSON object: each of its `items` handed to the callback, every other field skipped.
struct ListSeed<'f, F>(&'f mut F);

impl<'de, F: FnMut(Item<'de>)> serde::de::DeserializeSeed<'de> for ListSeed<'_, F> {
    type Value = usize;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Item<'de>)> serde::de::Visitor<'de> for ListSeed<'_, F> {
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a metrics LIST object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<usize, A::Error> {
        let mut n = 0;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "items" {
                n += map.next_value_seed(ItemsSeed(&mut *self.0))?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(n)
    }
}

/// A LIST's `items` array (or null), each element handed over as it is read.
struct ItemsSeed<'f, F>(&'f mut F);

impl<'de, F: FnMut(Item<'de>)> serde::de::DeserializeSeed<'de> for ItemsSeed<'_, F> {
    type Value = usize;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F: FnMut(Item<'de>)> serde::de::Visitor<'de> for ItemsSeed<'_, F> {
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of metrics objects")
    }

    fn visit_unit<E>(self) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut n = 0;
        while let Some(item) = seq.next_element::<Item<'de>>()? {
            (self.0)(item);
            n += 1;
        }
        Ok(n)
    }
}

/// The same of one object already decoded as JSON (a pod's own GET), read as [`decode`] reads it.
pub fn of_value(o: &kube::api::DynamicObject) -> Metrics {
    let data = &o.data;
    Metrics {
        namespace: o.metadata.namespace.clone().unwrap_or_default(),
        name: o.metadata.name.clone().unwrap_or_default(),
        timestamp: data["timestamp"].as_str().unwrap_or_default().to_string(),
        used: used_of(data),
        containers: if data["containers"].is_array() {
            containers_of(data)
        } else {
            Vec::new()
        },
    }
}

/// One object's usage: CPU in millicores (rounded up, as `kubectl top` prints it), memory in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Used {
    /// CPU, millicores.
    pub cpu: i128,
    /// Memory working set, bytes.
    pub mem: i128,
}

fn nanocores(q: &str) -> i128 {
    // metrics-server writes CPU in nanocores; anything else is read in thousandths.
    match q.strip_suffix('n') {
        Some(n) => n.parse().unwrap_or(0),
        None => milli(q) * 1_000_000,
    }
}

/// An object's usage: a NodeMetrics' `usage`, or the sum over a PodMetrics' containers, rounded as
/// `kubectl top` rounds the sum (CPU up to the next millicore).
pub fn used_of(data: &serde_json::Value) -> Used {
    match data["containers"].as_array() {
        Some(cs) => used_in(cs.iter().map(|c| &c["usage"])),
        None => used_in([&data["usage"]].into_iter()),
    }
}

/// Each container's usage in a PodMetrics, rounded as `kubectl top pod --containers` prints it.
pub fn containers_of(data: &serde_json::Value) -> Vec<(String, Used)> {
    let containers = data["containers"].as_array().into_iter().flatten();
    containers
        .map(|c| {
            let name = c["name"].as_str().unwrap_or_default().to_string();
            (name, used_in([&c["usage"]].into_iter()))
        })
        .collect()
}

fn used_in<'a>(usages: impl Iterator<Item = &'a serde_json::Value>) -> Used {
    let (mut nanos, mut bytes) = (0i128, 0i128);
    for u in usages {
        nanos += u["cpu"].as_str().map_or(0, nanocores);
        bytes += u["memory"].as_str().map_or(0, |q| milli(q) / 1000);
    }
    Used {
        cpu: (nanos + 999_999) / 1_000_000,
        mem: bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_decoder_reads_what_the_full_one_reads() {
        // Escapes (a borrowed string cannot hold them), a missing quantity, a node, extra fields.
        let json = r#"{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[
            {"metadata":{"name":"web-\u0031","namespace":"shop","labels":{"app":"web"},"creationTimestamp":"2026-01-01T00:00:00Z"},
             "timestamp":"2026-01-01T00:00:15Z","window":"15s","containers":[
                {"name":"app","usage":{"cpu":"64946990n","memory":"53913Ki"}},
                {"name":"side\"car","usage":{"cpu":"2m"}}]},
            {"metadata":{"name":"worker-1"},"timestamp":"2026-01-01T00:00:15Z","usage":{"cpu":"2","memory":"1Gi"}}]}"#;
        let full: kube::core::ObjectList<kube::api::DynamicObject> = serde_json::from_str(json).unwrap();
        let compact = decode(json).unwrap();
        let expected: Vec<Metrics> = full.items.iter().map(of_value).collect();
        assert_eq!(compact, expected);
        assert_eq!(compact[0].name, "web-1");
        assert_eq!(compact[0].containers[1].0, "side\"car");
        assert_eq!(
            compact[0].used,
            Used {
                cpu: 67,
                mem: 53913 * 1024
            }
        );
        assert_eq!(
            compact[1].used,
            Used {
                cpu: 2000,
                mem: 1 << 30
            }
        );
    }
}
