//! Events as kubelet and controllers record them, with the recorder's aggregation of repeats.

use std::hash::{Hash, Hasher};

use serde_json::{Value, json};

use super::resources::res;
use super::store::{Origin, Store, now_str};

/// Who records an event.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Reporting component, e.g. "kubelet", "deployment-controller".
    pub component: &'a str,
    /// Host for kubelet events (the node name).
    pub host: Option<&'a str>,
}

/// Records an event about `involved` (a full object). A repeat of the same reason and message
/// for the same object bumps `count` and `lastTimestamp` instead of adding an object, as the
/// client-go recorder does.
pub fn record(
    store: &Store,
    involved: &Value,
    field_path: Option<&str>,
    type_: &str,
    reason: &str,
    message: &str,
    src: Source<'_>,
) {
    let md = &involved["metadata"];
    let ns = md["namespace"].as_str().filter(|n| !n.is_empty()).unwrap_or("default");
    let name = md["name"].as_str().unwrap_or_default();
    let uid = md["uid"].as_str().unwrap_or_default();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (uid, reason, message, field_path).hash(&mut h);
    let ev_name = format!("{name}.{:016x}", h.finish());
    let now = now_str();
    let bumped = store.update_with(res("Event"), ns, &ev_name, |e| {
        let count = e["count"].as_i64().unwrap_or(1);
        e["count"] = json!(count + 1);
        e["lastTimestamp"] = json!(now);
        Ok(())
    });
    if bumped.is_ok() {
        return;
    }
    let mut involved_ref = json!({
        "kind": involved["kind"],
        "namespace": md["namespace"],
        "name": name,
        "uid": uid,
        "apiVersion": involved["apiVersion"],
        "resourceVersion": md["resourceVersion"],
    });
    if let Some(fp) = field_path {
        involved_ref["fieldPath"] = json!(fp);
    }
    let mut source = json!({ "component": src.component });
    if let Some(h) = src.host {
        source["host"] = json!(h);
    }
    let ev = json!({
        "metadata": { "name": ev_name, "namespace": ns },
        "involvedObject": involved_ref,
        "reason": reason,
        "message": message,
        "source": source,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "type": type_,
        "eventTime": null,
        "reportingComponent": src.component,
        "reportingInstance": src.host.unwrap_or(""),
    });
    // A race with another recorder of the same event is harmless: one of them wins.
    let _ = store.create(res("Event"), ev, Origin::Internal);
}

/// How long events live, as the API server's default `--event-ttl`.
pub const EVENT_TTL: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// Removes events whose last occurrence is older than `ttl`; returns how many went.
pub fn expire(store: &Store, now: jiff::Timestamp, ttl: jiff::SignedDuration) -> usize {
    let (events, _) = store.list(res("Event"), None);
    let mut gone = 0;
    for o in events {
        let v = o.value();
        let last = v["lastTimestamp"]
            .as_str()
            .or(v["eventTime"].as_str())
            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
        if last.is_some_and(|t| now - ttl > t) && store.remove(res("Event"), &o.ns, &o.name).is_ok() {
            gone += 1;
        }
    }
    gone
}

/// Expires old events once a minute until cancelled, so churn does not pile them up.
pub async fn run_expiry(store: std::sync::Arc<Store>, cancel: tokio_util::sync::CancellationToken) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {
                expire(&store, jiff::Timestamp::now(), EVENT_TTL);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_aggregate_into_one_event() {
        let s = Store::new(100);
        let pod =
            json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web-1", "namespace": "shop", "uid": "u1"}});
        let src = Source {
            component: "kubelet",
            host: Some("node-1"),
        };
        for _ in 0..3 {
            record(
                &s,
                &pod,
                Some("spec.containers{app}"),
                "Warning",
                "BackOff",
                "Back-off restarting failed container",
                src,
            );
        }
        record(
            &s,
            &pod,
            None,
            "Normal",
            "Scheduled",
            "Successfully assigned shop/web-1 to node-1",
            src,
        );
        let (evs, _) = s.list(res("Event"), Some("shop"));
        assert_eq!(evs.len(), 2);
        let backoff = evs
            .iter()
            .map(|e| e.value())
            .find(|e| e["reason"] == "BackOff")
            .unwrap();
        assert_eq!(backoff["count"], 3);
        assert_eq!(backoff["involvedObject"]["fieldPath"], "spec.containers{app}");
        assert_eq!(backoff["source"]["host"], "node-1");

        let later = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(61);
        assert_eq!(
            expire(&s, later - jiff::SignedDuration::from_mins(30), EVENT_TTL),
            0,
            "young events stay"
        );
        assert_eq!(expire(&s, later, EVENT_TTL), 2);
        assert_eq!(s.count(res("Event")), 0);
    }
}
