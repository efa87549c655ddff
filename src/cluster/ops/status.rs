//! `kubectl rollout status`: the same messages from the same fields, polled until done.

use std::time::Duration;

use kube::Client;
use serde_json::Value;

use super::{ObjRef, get_value};
use crate::cluster::Kind;

/// One reading of a rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// kubectl's line (without the trailing newline), or its error text.
    pub text: String,
    /// The rollout has ended (successfully or not).
    pub done: bool,
    /// It ended in an error (progress deadline, wrong strategy, object gone).
    pub failed: bool,
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn reading(text: String, done: bool) -> Reading {
    Reading {
        text,
        done,
        failed: false,
    }
}

fn failure(text: String) -> Reading {
    Reading {
        text,
        done: true,
        failed: true,
    }
}

/// kubectl's status line for a Deployment, StatefulSet or DaemonSet (pure).
pub fn read(kind: Kind, obj: &Value) -> Reading {
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let generation = int(&obj["metadata"]["generation"]);
    let spec = &obj["spec"];
    let st = &obj["status"];
    let observed = int(&st["observedGeneration"]);
    match kind {
        Kind::Deployment => {
            if generation > observed {
                return reading("Waiting for deployment spec update to be observed...".into(), false);
            }
            let timed_out = st["conditions"].as_array().is_some_and(|cs| {
                cs.iter()
                    .any(|c| c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded")
            });
            if timed_out {
                return failure(format!("deployment {name:?} exceeded its progress deadline"));
            }
            let updated = int(&st["updatedReplicas"]);
            let replicas = int(&st["replicas"]);
            let available = int(&st["availableReplicas"]);
            if let Some(want) = spec["replicas"].as_i64()
                && updated < want
            {
                return reading(
                    format!(
                        "Waiting for deployment {name:?} rollout to finish: {updated} out of {want} new replicas have been updated..."
                    ),
                    false,
                );
            }
            if replicas > updated {
                return reading(
                    format!(
                        "Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...",
                        replicas - updated
                    ),
                    false,
                );
            }
            if available < updated {
                return reading(
                    format!(
                        "Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available..."
                    ),
                    false,
                );
            }
            reading(format!("deployment {name:?} successfully rolled out"), true)
        }
        Kind::DaemonSet => {
            if spec["updateStrategy"]["type"] != "RollingUpdate" {
                return failure("rollout status is only available for RollingUpdate strategy type".into());
            }
            if generation > observed {
                return reading("Waiting for daemon set spec update to be observed...".into(), false);
            }
            let desired = int(&st["desiredNumberScheduled"]);
            let updated = int(&st["updatedNumberScheduled"]);
            let available = int(&st["numberAvailable"]);
            if updated < desired {
                return reading(
                    format!(
                        "Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated..."
                    ),
                    false,
                );
            }
            if available < desired {
                return reading(
                    format!(
                        "Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available..."
                    ),
                    false,
                );
            }
            reading(format!("daemon set {name:?} successfully rolled out"), true)
        }
        Kind::StatefulSet => {
            if spec["updateStrategy"]["type"] != "RollingUpdate" {
                return failure("rollout status is only available for RollingUpdate strategy type".into());
            }
            if observed == 0 || generation > observed {
                return reading("Waiting for statefulset spec update to be observed...".into(), false);
            }
            let ready = int(&st["readyReplicas"]);
            if let Some(want) = spec["replicas"].as_i64()
                && ready < want
            {
                return reading(format!("Waiting for {} pods to be ready...", want - ready), false);
            }
            let updated = int(&st["updatedReplicas"]);
            let rolling = &spec["updateStrategy"]["rollingUpdate"];
            if rolling.is_object() {
                if let (Some(want), Some(partition)) = (spec["replicas"].as_i64(), rolling["partition"].as_i64())
                    && updated < want - partition
                {
                    return reading(
                        format!(
                            "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...",
                            want - partition
                        ),
                        false,
                    );
                }
                return reading(
                    format!("partitioned roll out complete: {updated} new pods have been updated..."),
                    true,
                );
            }
            let update_rev = st["updateRevision"].as_str().unwrap_or_default();
            let current_rev = st["currentRevision"].as_str().unwrap_or_default();
            if update_rev != current_rev {
                return reading(
                    format!(
                        "waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}..."
                    ),
                    false,
                );
            }
            reading(
                format!(
                    "statefulset rolling update complete {} pods at revision {current_rev}...",
                    int(&st["currentReplicas"])
                ),
                true,
            )
        }
        other => failure(format!("no status for {}", other.name())),
    }
}

/// Poll the object every `every` and hand each new line to `emit` until the rollout ends;
/// a GET error ends it too.
pub async fn follow(client: &Client, obj: &ObjRef, every: Duration, mut emit: impl FnMut(Reading)) {
    let mut last = String::new();
    loop {
        let r = match get_value(client, obj).await {
            Ok(v) => read(obj.kind, &v),
            Err(e) => failure(e),
        };
        let done = r.done;
        if r.text != last {
            last = r.text.clone();
            emit(r);
        }
        if done {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deploy(status: Value) -> Value {
        json!({"metadata": {"name": "web", "generation": 2}, "spec": {"replicas": 3}, "status": status})
    }

    #[test]
    fn deployment_messages_follow_kubectls_order() {
        let r = |s| read(Kind::Deployment, &deploy(s)).text;
        assert_eq!(
            r(json!({"observedGeneration": 1})),
            "Waiting for deployment spec update to be observed..."
        );
        assert_eq!(
            r(json!({"observedGeneration": 2, "updatedReplicas": 1, "replicas": 4})),
            "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..."
        );
        assert_eq!(
            r(json!({"observedGeneration": 2, "updatedReplicas": 3, "replicas": 4})),
            "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination..."
        );
        assert_eq!(
            r(json!({"observedGeneration": 2, "updatedReplicas": 3, "replicas": 3, "availableReplicas": 1})),
            "Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are available..."
        );
        let done = read(
            Kind::Deployment,
            &deploy(json!({"observedGeneration": 2, "updatedReplicas": 3, "replicas": 3, "availableReplicas": 3})),
        );
        assert_eq!(done.text, "deployment \"web\" successfully rolled out");
        assert!(done.done && !done.failed);
        let stuck = read(
            Kind::Deployment,
            &deploy(
                json!({"observedGeneration": 2, "conditions": [{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]}),
            ),
        );
        assert_eq!(stuck.text, "deployment \"web\" exceeded its progress deadline");
        assert!(stuck.failed);
    }

    #[test]
    fn statefulset_and_daemonset_messages() {
        let sts = json!({"metadata": {"name": "db", "generation": 1},
            "spec": {"replicas": 3, "updateStrategy": {"type": "RollingUpdate"}},
            "status": {"observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 1, "currentReplicas": 2,
                "updateRevision": "db-2", "currentRevision": "db-1"}});
        assert_eq!(
            read(Kind::StatefulSet, &sts).text,
            "waiting for statefulset rolling update to complete 1 pods at revision db-2..."
        );
        let ds =
            json!({"metadata": {"name": "agent", "generation": 1}, "spec": {"updateStrategy": {"type": "OnDelete"}}});
        let r = read(Kind::DaemonSet, &ds);
        assert!(r.failed && r.text.contains("RollingUpdate strategy"));
        let ds = json!({"metadata": {"name": "agent", "generation": 1}, "spec": {"updateStrategy": {"type": "RollingUpdate"}},
            "status": {"observedGeneration": 1, "desiredNumberScheduled": 4, "updatedNumberScheduled": 4, "numberAvailable": 2}});
        assert_eq!(
            read(Kind::DaemonSet, &ds).text,
            "Waiting for daemon set \"agent\" rollout to finish: 2 of 4 updated pods are available..."
        );
    }
}
