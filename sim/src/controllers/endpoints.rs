//! The endpoints and endpointslice controllers: for every Service with a selector, an Endpoints
//! object and one EndpointSlice listing the matching pods that have an IP. Only services whose
//! pods changed are recomputed, in batches.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::Ctx;
use super::simkit::scaled;
use crate::resources::res;
use crate::select::LabelSelector;
use crate::store::{Event, Origin, Store, now_str, pods};

type SvcKey = (String, String);

#[derive(Default)]
struct State {
    selectors: HashMap<SvcKey, LabelSelector>,
    dirty: BTreeSet<SvcKey>,
}

impl State {
    fn service_changed(&mut self, ns: &str, name: &str, v: Option<&Value>) {
        let key = (ns.to_string(), name.to_string());
        match v.map(|v| &v["spec"]["selector"]) {
            Some(sel) if sel.as_object().is_some_and(|m| !m.is_empty()) => {
                let s = LabelSelector::from_value(&json!({"matchLabels": sel}));
                self.selectors.insert(key.clone(), s);
                self.dirty.insert(key);
            }
            _ => {
                self.selectors.remove(&key);
            }
        }
    }

    fn on_event(&mut self, ev: &Event) {
        let o = &ev.obj;
        if o.res == pods() {
            for ((ns, name), sel) in &self.selectors {
                let hit = sel.matches(&o.labels) || ev.prev.as_ref().is_some_and(|p| sel.matches(&p.labels));
                if ns == &o.ns && hit {
                    self.dirty.insert((ns.clone(), name.clone()));
                }
            }
        } else if o.res == res("Service") {
            let gone = ev.kind == crate::store::EventType::Deleted;
            let v = (!gone).then(|| o.value());
            self.service_changed(&o.ns, &o.name, v.as_ref());
        }
    }

    fn resync(&mut self, store: &Store) {
        self.selectors.clear();
        for s in store.list(res("Service"), None).0 {
            self.service_changed(&s.ns, &s.name, Some(&s.value()));
        }
    }
}

fn ready(p: &Value) -> bool {
    p["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

fn target_port(sp: &Value, pod: Option<&Value>) -> i64 {
    match &sp["targetPort"] {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(name) => pod
            .and_then(|p| {
                p["spec"]["containers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|c| c["ports"].as_array().into_iter().flatten())
                    .find(|cp| cp["name"] == name.as_str())
                    .and_then(|cp| cp["containerPort"].as_i64())
            })
            .unwrap_or_else(|| sp["port"].as_i64().unwrap_or(0)),
        _ => sp["port"].as_i64().unwrap_or(0),
    }
}

/// Rewrites the Endpoints and EndpointSlice of one service from its pods.
pub fn sync_service(store: &Store, ns: &str, name: &str) {
    let Some(svc) = store.get_value(res("Service"), ns, name) else {
        return;
    };
    let sel = &svc["spec"]["selector"];
    if sel.as_object().is_none_or(|m| m.is_empty()) {
        return;
    }
    let selector = LabelSelector::from_value(&json!({"matchLabels": sel}));
    let matching: Vec<Value> = store
        .list(pods(), Some(ns))
        .0
        .iter()
        .filter(|o| selector.matches(&o.labels))
        .filter(|o| o.fields.iter().any(|f| f.0 == "status.podIP" && !f.1.is_empty()))
        .map(|o| o.value())
        .collect();
    let first = matching.first();
    let ports: Vec<Value> = svc["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|sp| {
            let mut p = json!({"port": target_port(sp, first), "protocol": sp["protocol"].as_str().unwrap_or("TCP")});
            if let Some(n) = sp["name"].as_str() {
                p["name"] = json!(n);
            }
            p
        })
        .collect();
    let (mut addrs, mut not_ready, mut slice_eps) = (Vec::new(), Vec::new(), Vec::new());
    for p in &matching {
        let terminating = !p["metadata"]["deletionTimestamp"].is_null();
        let is_ready = ready(p) && !terminating;
        let ip = p["status"]["podIP"].clone();
        let target =
            json!({"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]});
        let node = p["spec"]["nodeName"].clone();
        if !terminating {
            let a = json!({"ip": ip, "nodeName": node, "targetRef": target});
            if is_ready { addrs.push(a) } else { not_ready.push(a) }
        }
        slice_eps.push(json!({
            "addresses": [ip],
            "conditions": {"ready": is_ready, "serving": ready(p), "terminating": terminating},
            "nodeName": node, "targetRef": target,
        }));
    }
    let mut subset = json!({"ports": ports});
    if !addrs.is_empty() {
        subset["addresses"] = json!(addrs);
    }
    if !not_ready.is_empty() {
        subset["notReadyAddresses"] = json!(not_ready);
    }
    let subsets = if addrs.is_empty() && not_ready.is_empty() {
        json!([])
    } else {
        json!([subset])
    };
    let now = now_str();
    let labels = svc["metadata"]["labels"].clone();
    let ep_id = res("Endpoints");
    let changed = store.update_with(ep_id, ns, name, |e| {
        if e["subsets"] != subsets {
            e["subsets"] = subsets.clone();
            e["metadata"]["annotations"]["endpoints.kubernetes.io/last-change-trigger-time"] = json!(now);
        }
        Ok(())
    });
    if changed.is_err() {
        let mut e = json!({"metadata": {"name": name, "namespace": ns, "labels": labels,
            "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": now}}, "subsets": subsets});
        if labels.is_null() {
            e["metadata"]["labels"] = json!({});
        }
        let _ = store.create(ep_id, e, Origin::Internal);
    }
    write_slice(store, &svc, slice_eps, ports);
}

fn write_slice(store: &Store, svc: &Value, endpoints: Vec<Value>, ports: Vec<Value>) {
    let (ns, name) = (
        svc["metadata"]["namespace"].as_str().unwrap_or_default(),
        svc["metadata"]["name"].as_str().unwrap_or_default(),
    );
    let slice_id = res("EndpointSlice");
    let existing = store
        .list(slice_id, Some(ns))
        .0
        .into_iter()
        .find(|s| s.labels.get("kubernetes.io/service-name").map(String::as_str) == Some(name));
    match existing {
        Some(s) => {
            let _ = store.update_with(slice_id, ns, &s.name, |v| {
                v["endpoints"] = json!(endpoints);
                v["ports"] = json!(ports);
                Ok(())
            });
        }
        None => {
            let mut labels = svc["metadata"]["labels"].as_object().cloned().unwrap_or_default();
            labels.insert("kubernetes.io/service-name".into(), json!(name));
            labels.insert(
                "endpointslice.kubernetes.io/managed-by".into(),
                json!("endpointslice-controller.k8s.io"),
            );
            let owner = json!({"apiVersion": "v1", "kind": "Service", "name": name,
                "uid": svc["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true});
            let v = json!({"metadata": {"generateName": format!("{name}-"), "namespace": ns, "labels": labels,
                "ownerReferences": [owner]}, "addressType": "IPv4", "endpoints": endpoints, "ports": ports});
            let _ = store.create(slice_id, v, Origin::Internal);
        }
    }
}

/// Runs the endpoints controllers until cancelled.
pub async fn run(ctx: Ctx) {
    let mut rx = ctx.store.subscribe();
    let mut st = State::default();
    st.resync(&ctx.store);
    let mut tick = tokio::time::interval(scaled(ctx.opts.time_scale, 0.5));
    loop {
        tokio::select! {
            _ = ctx.cancel.cancelled() => break,
            r = rx.recv() => match r {
                Ok(ev) => st.on_event(&ev),
                Err(RecvError::Lagged(_)) => st.resync(&ctx.store),
                Err(RecvError::Closed) => break,
            },
            _ = tick.tick() => {
                for (ns, name) in std::mem::take(&mut st.dirty) {
                    sync_service(&ctx.store, &ns, &name);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::kubelet_tests::{node, pod, test_ctx};
    use super::super::simkit::wait_for;
    use super::*;

    fn addrs(s: &Store, key: &str) -> usize {
        s.get_value(res("Endpoints"), "t", "web")
            .and_then(|e| e["subsets"][0][key].as_array().map(|a| a.len()))
            .unwrap_or(0)
    }

    #[tokio::test]
    async fn endpoints_follow_readiness() {
        let ctx = test_ctx(0.01);
        let s = ctx.store.clone();
        s.create(res("Node"), node("w1", true, 1, json!({}), json!({})), Origin::Internal)
            .unwrap();
        let svc = json!({"metadata": {"name": "web", "namespace": "t"}, "spec": {"selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}});
        s.create(res("Service"), svc, Origin::Internal).unwrap();
        let spec = json!({"containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"name": "http", "containerPort": 8080}]}]});
        for name in ["web-a", "web-b"] {
            let mut p = pod("t", name, json!({"sim.kubedeck.io/ready-after": "30"}), spec.clone());
            p["metadata"]["labels"]["app"] = json!("web");
            s.create(pods(), p, Origin::Internal).unwrap();
        }
        tokio::spawn(super::super::kubelet::run(ctx.clone()));
        tokio::spawn(run(ctx.clone()));
        let t = Duration::from_secs(10);
        assert!(
            wait_for(&s, t, |s| addrs(s, "notReadyAddresses") == 2).await,
            "running but not ready pods"
        );
        assert_eq!(addrs(&s, "addresses"), 0);
        assert!(
            wait_for(&s, t, |s| addrs(s, "addresses") == 2).await,
            "ready after 30 s scaled"
        );
        let ep = s.get_value(res("Endpoints"), "t", "web").unwrap();
        assert_eq!(ep["subsets"][0]["ports"][0]["port"], 8080);
        let slice = s.list(res("EndpointSlice"), Some("t")).0[0].value();
        assert!(slice["metadata"]["name"].as_str().unwrap().starts_with("web-"));
        assert_eq!(slice["metadata"]["labels"]["kubernetes.io/service-name"], "web");
        assert_eq!(slice["addressType"], "IPv4");
        assert_eq!(slice["endpoints"][0]["conditions"]["ready"], true);
        assert_eq!(slice["endpoints"][0]["targetRef"]["kind"], "Pod");
        ctx.cancel.cancel();
    }
}
