//! Gathering a [`Report`]: GETs of the health endpoints, /version, leases, pods, APIServices,
//! webhooks and events, all at once. Each panel fails on its own.

use std::time::Instant;

use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, RuleWithOperations, ValidatingWebhookConfiguration, WebhookClientConfig,
};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Pod};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
use kube::api::ListParams;
use kube::{Api, Client};

use super::parse::{Check, parse_checks};
use super::*;
use crate::cluster::counters;

/// How a failed request shows in its panel.
pub fn panel_error<T>(e: kube::Error) -> Panel<T> {
    match e {
        kube::Error::Api(s) if s.code == 403 => Panel::Forbidden(s.message.clone()),
        other => Panel::Failed(crate::cluster::describe::fetch::error_text(&other)),
    }
}

fn ts(t: &Time) -> i64 {
    t.0.as_second()
}

/// GET `/readyz?verbose` or `/livez?verbose`; a failing endpoint answers 500 with the same check list.
pub async fn probe(client: &Client, endpoint: &str) -> Panel<Vec<Check>> {
    let req = http::Request::get(format!("/{endpoint}?verbose")).body(Vec::new());
    let Ok(req) = req else {
        return Panel::Failed("bad request".into());
    };
    match client.request_text(req).await {
        Ok(body) => Panel::Ok(parse_checks(&body)),
        Err(kube::Error::Api(s)) if s.code == 500 && s.message.contains("[-]") => Panel::Ok(parse_checks(&s.message)),
        Err(e) => panel_error(e),
    }
}

/// A Lease as the screen shows it.
pub fn lease_info(l: &Lease) -> LeaseInfo {
    let spec = l.spec.clone().unwrap_or_default();
    LeaseInfo {
        name: l.metadata.name.clone().unwrap_or_default(),
        holder: spec.holder_identity,
        renewed: spec.renew_time.map(|t| t.0.as_second()),
        duration: spec.lease_duration_seconds.map(i64::from),
        transitions: spec.lease_transitions,
        present: true,
    }
}

/// The leader leases, in [`LEADERS`] order; absent ones marked not present.
pub fn leaders_of(leases: &[Lease]) -> Vec<LeaseInfo> {
    LEADERS
        .iter()
        .map(|name| {
            leases
                .iter()
                .find(|l| l.metadata.name.as_deref() == Some(name))
                .map(lease_info)
                .unwrap_or(LeaseInfo {
                    name: name.to_string(),
                    holder: None,
                    renewed: None,
                    duration: None,
                    transitions: None,
                    present: false,
                })
        })
        .collect()
}

/// A control-plane pod as the screen shows it.
pub fn cp_pod(p: &Pod) -> CpPod {
    let status = p.status.clone().unwrap_or_default();
    let cs = status.container_statuses.unwrap_or_default();
    CpPod {
        component: p
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("component").cloned())
            .unwrap_or_default(),
        name: p.metadata.name.clone().unwrap_or_default(),
        node: p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default(),
        ready: cs.iter().filter(|c| c.ready).count(),
        total: p.spec.as_ref().map_or(cs.len(), |s| s.containers.len()),
        restarts: cs.iter().map(|c| c.restart_count).sum(),
        phase: status.phase.unwrap_or_default(),
    }
}

/// APIServices whose Available condition is not True.
pub fn unavailable(apis: &[APIService]) -> Vec<UnavailableApi> {
    apis.iter()
        .filter_map(|a| {
            let cond = a
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Available"));
            if cond.is_some_and(|c| c.status == "True") {
                return None;
            }
            let service = a
                .spec
                .as_ref()
                .and_then(|s| s.service.as_ref())
                .map_or("Local".to_string(), |s| {
                    format!(
                        "{}/{}",
                        s.namespace.clone().unwrap_or_default(),
                        s.name.clone().unwrap_or_default()
                    )
                });
            Some(UnavailableApi {
                name: a.metadata.name.clone().unwrap_or_default(),
                service,
                reason: cond.and_then(|c| c.reason.clone()).unwrap_or_else(|| "Unknown".into()),
                message: cond.and_then(|c| c.message.clone()).unwrap_or_default(),
            })
        })
        .collect()
}

/// One webhook of either configuration kind, flattened.
#[derive(Debug, Clone)]
pub struct HookRef {
    /// "validating" or "mutating".
    pub kind: &'static str,
    /// Configuration name.
    pub config: String,
    /// Webhook name.
    pub name: String,
    /// failurePolicy (defaults to Fail in admissionregistration.k8s.io/v1).
    pub fail: bool,
    /// The service, if the webhook calls one (a URL webhook is out of the cluster's sight).
    pub service: Option<(String, String)>,
    /// "CREATE,UPDATE apps/deployments".
    pub rules: String,
}

fn hook(
    kind: &'static str,
    config: &str,
    name: &str,
    policy: Option<&str>,
    cc: &WebhookClientConfig,
    rules: Option<&Vec<RuleWithOperations>>,
) -> HookRef {
    let rules = rules
        .into_iter()
        .flatten()
        .map(|r| {
            let ops = r.operations.clone().unwrap_or_default().join(",");
            let groups = r.api_groups.clone().unwrap_or_default();
            let res = r.resources.clone().unwrap_or_default();
            let g = groups.first().map(String::as_str).unwrap_or("");
            let g = if g.is_empty() { String::new() } else { format!("{g}/") };
            format!("{ops} {g}{}", res.join(","))
        })
        .collect::<Vec<_>>()
        .join("; ");
    HookRef {
        kind,
        config: config.to_string(),
        name: name.to_string(),
        fail: policy.is_none_or(|p| p == "Fail"),
        service: cc.service.as_ref().map(|s| (s.namespace.clone(), s.name.clone())),
        rules,
    }
}

/// Every webhook of the given configurations.
pub fn hooks(v: &[ValidatingWebhookConfiguration], m: &[MutatingWebhookConfiguration]) -> Vec<HookRef> {
    let mut out = Vec::new();
    for c in v {
        let config = c.metadata.name.clone().unwrap_or_default();
        for w in c.webhooks.iter().flatten() {
            out.push(hook(
                "validating",
                &config,
                &w.name,
                w.failure_policy.as_deref(),
                &w.client_config,
                w.rules.as_ref(),
            ));
        }
    }
    for c in m {
        let config = c.metadata.name.clone().unwrap_or_default();
        for w in c.webhooks.iter().flatten() {
            out.push(hook(
                "mutating",
                &config,
                &w.name,
                w.failure_policy.as_deref(),
                &w.client_config,
                w.rules.as_ref(),
            ));
        }
    }
    out
}

/// Whether any EndpointSlice has an endpoint whose ready condition is not false (nil means ready).
pub fn any_ready(slices: &[EndpointSlice]) -> bool {
    slices.iter().any(|s| {
        s.endpoints
            .iter()
            .any(|e| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true))
    })
}

async fn blocking_webhooks(client: &Client) -> Panel<Vec<BlockingWebhook>> {
    let lp = ListParams::default();
    let (va, ma) = (
        Api::<ValidatingWebhookConfiguration>::all(client.clone()),
        Api::<MutatingWebhookConfiguration>::all(client.clone()),
    );
    let (v, m) = futures::join!(va.list(&lp), ma.list(&lp));
    let (v, m) = match (v, m) {
        (Ok(v), Ok(m)) => (v.items, m.items),
        (Err(e), _) | (_, Err(e)) => return panel_error(e),
    };
    let mut out = Vec::new();
    for h in hooks(&v, &m).into_iter().filter(|h| h.fail) {
        let Some((ns, svc)) = &h.service else { continue };
        let lp = ListParams::default().labels(&format!("kubernetes.io/service-name={svc}"));
        let why = match Api::<EndpointSlice>::namespaced(client.clone(), ns).list(&lp).await {
            Ok(list) if any_ready(&list.items) => continue,
            Ok(_) => "no ready endpoints".to_string(),
            Err(kube::Error::Api(s)) if s.code == 403 => "endpoints not permitted".to_string(),
            Err(e) => format!("endpoints unknown: {e}"),
        };
        out.push(BlockingWebhook {
            kind: h.kind,
            config: h.config,
            webhook: h.name,
            service: format!("{ns}/{svc}"),
            why,
            rules: h.rules,
        });
    }
    Panel::Ok(out)
}

/// Warning events of the last [`RECENT_EVENTS_SECS`], newest first.
pub fn warnings(events: &[Event], now: i64) -> Vec<WarningEvent> {
    let mut out: Vec<WarningEvent> = events
        .iter()
        .filter(|e| e.type_.as_deref() == Some("Warning"))
        .map(|e| {
            let last = e
                .last_timestamp
                .as_ref()
                .map(ts)
                .or_else(|| e.event_time.as_ref().map(|t| t.0.as_second()))
                .or_else(|| e.metadata.creation_timestamp.as_ref().map(ts));
            WarningEvent {
                last,
                reason: e.reason.clone().unwrap_or_default(),
                object: format!(
                    "{}/{}",
                    e.involved_object.kind.clone().unwrap_or_default().to_lowercase(),
                    e.involved_object.name.clone().unwrap_or_default()
                ),
                message: e.message.clone().unwrap_or_default().trim().to_string(),
                count: e.count.unwrap_or(1),
            }
        })
        .filter(|e| e.last.is_none_or(|t| now - t <= RECENT_EVENTS_SECS))
        .collect();
    out.sort_by_key(|e| std::cmp::Reverse(e.last));
    out
}

/// Gather a report through `client`.
pub async fn fetch(client: &Client) -> Report {
    let started = Instant::now();
    let version = async {
        let r = client.apiserver_version().await;
        (r, started.elapsed())
    };
    let leases = Api::<Lease>::namespaced(client.clone(), "kube-system");
    let pods = Api::<Pod>::namespaced(client.clone(), "kube-system");
    let apis = Api::<APIService>::all(client.clone());
    let events = Api::<Event>::namespaced(client.clone(), "kube-system");
    let all = ListParams::default();
    let identity = ListParams::default().labels("apiserver.kubernetes.io/identity=kube-apiserver");
    let pods_lp = ListParams::default().labels(&format!("component in ({})", COMPONENTS.join(",")));
    let events_lp = ListParams::default().fields("type=Warning");
    let (version, readyz, livez, instances, leaders, pods, apis, webhooks, events) = futures::join!(
        version,
        probe(client, "readyz"),
        probe(client, "livez"),
        leases.list(&identity),
        async {
            let mut out = Vec::new();
            for name in LEADERS {
                match leases.get_opt(name).await {
                    Ok(Some(l)) => out.push(l),
                    Ok(None) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(out)
        },
        pods.list(&pods_lp),
        apis.list(&all),
        blocking_webhooks(client),
        events.list(&events_lp),
    );
    let now = jiff::Timestamp::now().as_second();
    let (version, rtt) = version;
    let rtt_ms = version.is_ok().then_some(rtt.as_millis() as u64);
    Report {
        taken: now,
        api: ApiServer {
            version: match version {
                Ok(v) => Panel::Ok((v.git_version, v.platform)),
                Err(e) => panel_error(e),
            },
            rtt_ms,
            readyz,
            livez,
            instances: match instances {
                Ok(l) => Panel::Ok(l.items.iter().map(lease_info).collect()),
                Err(e) => panel_error(e),
            },
        },
        leaders: match leaders {
            Ok(l) => Panel::Ok(leaders_of(&l)),
            Err(e) => panel_error(e),
        },
        pods: match pods {
            Ok(l) => {
                let mut pods: Vec<CpPod> = l.items.iter().map(cp_pod).collect();
                pods.sort_by(|a, b| (&a.component, &a.name).cmp(&(&b.component, &b.name)));
                Panel::Ok(pods)
            }
            Err(e) => panel_error(e),
        },
        apis: match apis {
            Ok(l) => Panel::Ok(unavailable(&l.items)),
            Err(e) => panel_error(e),
        },
        webhooks,
        events: match events {
            Ok(l) => Panel::Ok(warnings(&l.items, now)),
            Err(e) => panel_error(e),
        },
        watch_restarts: counters::watch_restarts(),
        throttled: counters::throttled_total(),
    }
}
