//! Control-plane health as plain data: what the `:cp` screen shows, gathered by [`fetch`] every
//! few seconds. Ages are kept as timestamps so the screen can age them between refreshes.

pub mod fetch;
pub mod parse;

pub use parse::Check;

/// A panel's content, or why it has none. A 403 degrades only the panel it hit.
#[derive(Debug, Clone, PartialEq)]
pub enum Panel<T> {
    /// The data.
    Ok(T),
    /// The server refused with 403; the message names verb and resource.
    Forbidden(String),
    /// Any other error.
    Failed(String),
}

impl<T> Panel<T> {
    /// The data, if any.
    pub fn ok(&self) -> Option<&T> {
        match self {
            Panel::Ok(t) => Some(t),
            _ => None,
        }
    }
}

/// A lease as the screen shows it: API server identities and leader elections.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseInfo {
    /// Lease name.
    pub name: String,
    /// spec.holderIdentity.
    pub holder: Option<String>,
    /// spec.renewTime (Unix seconds).
    pub renewed: Option<i64>,
    /// spec.leaseDurationSeconds.
    pub duration: Option<i64>,
    /// spec.leaseTransitions.
    pub transitions: Option<i32>,
    /// Present in the cluster (an absent cloud-controller-manager lease is normal off-cloud).
    pub present: bool,
}

impl LeaseInfo {
    /// Seconds since the last renewal, at `now`.
    pub fn age(&self, now: i64) -> Option<i64> {
        self.renewed.map(|t| (now - t).max(0))
    }

    /// Held but not renewed within its duration: the leader is gone (or has no holder at all).
    pub fn stale(&self, now: i64) -> bool {
        if !self.present {
            return false;
        }
        match (self.holder.as_deref(), self.age(now), self.duration) {
            (None | Some(""), _, _) => true,
            (_, Some(age), Some(d)) => age > d,
            (_, None, _) => true,
            _ => false,
        }
    }
}

/// A control-plane pod (static pods of kubeadm-style clusters).
#[derive(Debug, Clone, PartialEq)]
pub struct CpPod {
    /// The `component` label.
    pub component: String,
    /// Pod name.
    pub name: String,
    /// Node it runs on.
    pub node: String,
    /// Ready containers.
    pub ready: usize,
    /// All containers.
    pub total: usize,
    /// Sum of container restarts.
    pub restarts: i32,
    /// status.phase.
    pub phase: String,
}

impl CpPod {
    /// Every container ready and the pod running.
    pub fn healthy(&self) -> bool {
        self.total > 0 && self.ready == self.total && self.phase == "Running"
    }
}

/// An APIService whose Available condition is not True.
#[derive(Debug, Clone, PartialEq)]
pub struct UnavailableApi {
    /// APIService name ("v1beta1.metrics.k8s.io").
    pub name: String,
    /// Backing service "ns/name", or "Local".
    pub service: String,
    /// Condition reason.
    pub reason: String,
    /// Condition message.
    pub message: String,
}

/// An admission webhook that fails closed and has nothing ready behind it: it blocks the writes it matches.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockingWebhook {
    /// "validating" or "mutating".
    pub kind: &'static str,
    /// The configuration object's name.
    pub config: String,
    /// The webhook's name inside it.
    pub webhook: String,
    /// "ns/name" of its service.
    pub service: String,
    /// Why nothing answers ("no ready endpoints", "endpoints not permitted").
    pub why: String,
    /// What it matches, as "CREATE,UPDATE apps/deployments".
    pub rules: String,
}

/// A Warning event of kube-system.
#[derive(Debug, Clone, PartialEq)]
pub struct WarningEvent {
    /// When it last happened (Unix seconds).
    pub last: Option<i64>,
    /// Reason.
    pub reason: String,
    /// "Kind/name" of the object.
    pub object: String,
    /// Message.
    pub message: String,
    /// How often.
    pub count: i32,
}

/// The API server as kubedeck sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiServer {
    /// gitVersion and platform from /version.
    pub version: Panel<(String, String)>,
    /// Round trip of the /version GET, milliseconds.
    pub rtt_ms: Option<u64>,
    /// `/readyz?verbose` checks.
    pub readyz: Panel<Vec<Check>>,
    /// `/livez?verbose` checks.
    pub livez: Panel<Vec<Check>>,
    /// API server instances from their identity leases.
    pub instances: Panel<Vec<LeaseInfo>>,
}

/// Everything the control-plane screen shows, as of one refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// When it was gathered (Unix seconds).
    pub taken: i64,
    /// API server.
    pub api: ApiServer,
    /// Leader leases: kube-scheduler, kube-controller-manager, cloud-controller-manager.
    pub leaders: Panel<Vec<LeaseInfo>>,
    /// Control-plane pods; empty means the cluster does not show them (managed control plane).
    pub pods: Panel<Vec<CpPod>>,
    /// APIServices not Available.
    pub apis: Panel<Vec<UnavailableApi>>,
    /// Fail-closed webhooks without ready endpoints.
    pub webhooks: Panel<Vec<BlockingWebhook>>,
    /// Recent Warning events in kube-system, newest first.
    pub events: Panel<Vec<WarningEvent>>,
    /// Watch restarts kubedeck saw since start.
    pub watch_restarts: u64,
    /// 429 answers kubedeck saw since start.
    pub throttled: u64,
}

/// The leader-election leases the screen looks for, in kube-system.
pub const LEADERS: [&str; 3] = ["kube-scheduler", "kube-controller-manager", "cloud-controller-manager"];

/// The `component` label values of control-plane pods.
pub const COMPONENTS: [&str; 4] = ["etcd", "kube-apiserver", "kube-scheduler", "kube-controller-manager"];

/// Warning events older than this are not "recent".
pub const RECENT_EVENTS_SECS: i64 = 3600;

/// How many of a report's checks could not be made, of how many: nothing unchecked may be called OK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unchecked {
    /// Refused with 403.
    pub forbidden: usize,
    /// Failed otherwise, where that is not already an alert.
    pub failed: usize,
    /// Every check of the report.
    pub total: usize,
}

impl Report {
    /// The checks this report could not make (each panel is one check).
    pub fn unchecked(&self) -> Unchecked {
        fn state<T>(p: &Panel<T>) -> (bool, bool) {
            (matches!(p, Panel::Forbidden(_)), matches!(p, Panel::Failed(_)))
        }
        // A failed version, readyz or livez is an alert already ("not answering").
        let alerting = [
            state(&self.api.version),
            state(&self.api.readyz),
            state(&self.api.livez),
        ];
        let quiet = [
            state(&self.api.instances),
            state(&self.leaders),
            state(&self.pods),
            state(&self.apis),
            state(&self.webhooks),
            state(&self.events),
        ];
        let all = alerting.iter().chain(&quiet);
        Unchecked {
            forbidden: all.clone().filter(|s| s.0).count(),
            failed: quiet.iter().filter(|s| s.1).count(),
            total: alerting.len() + quiet.len(),
        }
    }

    /// The alerts of this report at `now`, worst first: what makes the cluster "not OK".
    pub fn alerts(&self, now: i64) -> Vec<String> {
        let mut out = Vec::new();
        // A server that does not answer is the worst news; a refusal (403) is not news about health.
        if let Panel::Failed(msg) = &self.api.version {
            out.push(format!("API server not answering: {msg}"));
        }
        for (ep, p) in [("readyz", &self.api.readyz), ("livez", &self.api.livez)] {
            match p {
                Panel::Ok(checks) => {
                    for c in checks.iter().filter(|c| !c.passed) {
                        out.push(format!("{ep} check {} failed", c.name));
                    }
                }
                Panel::Failed(msg) => out.push(format!("{ep} unanswered: {msg}")),
                Panel::Forbidden(_) => {}
            }
        }
        if let Panel::Ok(leases) = &self.leaders {
            for l in leases.iter().filter(|l| l.stale(now)) {
                out.push(format!("no {} leader (lease not renewed)", l.name));
            }
        }
        if let Panel::Ok(pods) = &self.pods {
            for p in pods.iter().filter(|p| !p.healthy()) {
                out.push(format!("{} not ready", p.name));
            }
        }
        if let Panel::Ok(apis) = &self.apis {
            for a in apis {
                out.push(format!("APIService {} unavailable", a.name));
            }
        }
        if let Panel::Ok(hooks) = &self.webhooks {
            for w in hooks {
                out.push(format!("webhook {} blocks writes ({})", w.webhook, w.why));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
