//! Deployment arithmetic and status as the real controller computes them: surge and
//! unavailability fenceposts, replica sums, conditions and the progress deadline.

use std::time::Duration;

use serde_json::{Value, json};

use super::super::store::now_str;

/// Annotation carrying a revision number on Deployments and ReplicaSets.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// Earlier revisions a reused ReplicaSet had.
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// The Deployment's replicas when the ReplicaSet was last scaled.
pub const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
/// replicas + maxSurge when the ReplicaSet was last scaled.
pub const MAX: &str = "deployment.kubernetes.io/max-replicas";

/// A ReplicaSet as the Deployment controller reasons about it.
#[derive(Debug, Clone)]
pub struct Rs {
    /// The object.
    pub v: Value,
    /// metadata.name.
    pub name: String,
    /// spec.replicas.
    pub replicas: i64,
    /// status.replicas.
    pub actual: i64,
    /// status.readyReplicas.
    pub ready: i64,
    /// status.availableReplicas.
    pub available: i64,
    /// The revision annotation, 0 when absent.
    pub revision: i64,
}

impl Rs {
    /// Reads the facts from a ReplicaSet object.
    pub fn new(v: Value) -> Rs {
        let n = |f: &str| v["status"][f].as_i64().unwrap_or(0);
        Rs {
            name: v["metadata"]["name"].as_str().unwrap_or_default().to_string(),
            replicas: v["spec"]["replicas"].as_i64().unwrap_or(1),
            actual: n("replicas"),
            ready: n("readyReplicas"),
            available: n("availableReplicas"),
            revision: revision_of(&v),
            v,
        }
    }

    /// metadata.creationTimestamp, for oldest-first ordering.
    pub fn created(&self) -> &str {
        self.v["metadata"]["creationTimestamp"].as_str().unwrap_or_default()
    }
}

/// The revision annotation of an object, 0 when absent.
pub fn revision_of(v: &Value) -> i64 {
    v["metadata"]["annotations"][REVISION]
        .as_str()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// spec.replicas of a Deployment (default 1).
pub fn replicas(d: &Value) -> i64 {
    d["spec"]["replicas"].as_i64().unwrap_or(1)
}

/// Whether the Deployment rolls (the default) rather than recreates.
pub fn is_rolling(d: &Value) -> bool {
    d["spec"]["strategy"]["type"].as_str() != Some("Recreate")
}

fn int_or_percent(v: &Value, default: &str, total: i64, round_up: bool) -> i64 {
    let v = if v.is_null() { json!(default) } else { v.clone() };
    if let Some(n) = v.as_i64() {
        return n;
    }
    let pct: i64 = v
        .as_str()
        .and_then(|s| s.strip_suffix('%'))
        .and_then(|s| s.parse().ok())
        .unwrap_or(25);
    if round_up {
        (pct * total + 99) / 100
    } else {
        pct * total / 100
    }
}

/// (maxSurge, maxUnavailable) resolved against spec.replicas: surge rounds up, unavailable
/// down, and both zero becomes one unavailable so that a rollout can move.
pub fn fenceposts(d: &Value) -> (i64, i64) {
    if !is_rolling(d) {
        return (0, 0);
    }
    let ru = &d["spec"]["strategy"]["rollingUpdate"];
    let n = replicas(d);
    let surge = int_or_percent(&ru["maxSurge"], "25%", n, true);
    let unavailable = int_or_percent(&ru["maxUnavailable"], "25%", n, false);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

/// Unavailable pods the Deployment tolerates (0 for Recreate or zero replicas).
pub fn max_unavailable(d: &Value) -> i64 {
    let n = replicas(d);
    if !is_rolling(d) || n == 0 {
        0
    } else {
        fenceposts(d).1.min(n)
    }
}

/// Sum of spec.replicas.
pub fn spec_sum(rss: &[&Rs]) -> i64 {
    rss.iter().map(|r| r.replicas).sum()
}

/// The size the new ReplicaSet may grow to now (NewRSNewReplicas).
pub fn new_rs_target(d: &Value, all: &[&Rs], new_replicas: i64) -> i64 {
    let want = replicas(d);
    if !is_rolling(d) {
        return want;
    }
    let max_total = want + fenceposts(d).0;
    let current = spec_sum(all);
    if current >= max_total {
        return new_replicas;
    }
    new_replicas + (max_total - current).min(want - new_replicas).max(0)
}

/// The status counters, from the ReplicaSets' own status.
pub fn counts(d: &Value, all: &[&Rs], new: Option<&Rs>) -> Value {
    let available: i64 = all.iter().map(|r| r.available).sum();
    let mut s = json!({ "observedGeneration": d["metadata"]["generation"] });
    for (k, n) in [
        ("replicas", all.iter().map(|r| r.actual).sum::<i64>()),
        ("updatedReplicas", new.map_or(0, |r| r.actual)),
        ("readyReplicas", all.iter().map(|r| r.ready).sum()),
        ("availableReplicas", available),
        ("unavailableReplicas", (spec_sum(all) - available).max(0)),
    ] {
        // These fields are omitempty in the real API types.
        if n != 0 {
            s[k] = json!(n);
        }
    }
    if let Some(c) = d["status"].get("collisionCount") {
        s["collisionCount"] = c.clone();
    }
    s
}

fn num(s: &Value, k: &str) -> i64 {
    s[k].as_i64().unwrap_or(0)
}

/// The condition of a type, if present.
pub fn condition<'a>(status: &'a Value, type_: &str) -> Option<&'a Value> {
    status["conditions"].as_array()?.iter().find(|c| c["type"] == type_)
}

/// Sets a condition as SetDeploymentCondition does: an unchanged status and reason is left
/// alone; an unchanged status keeps its lastTransitionTime; the condition moves to the end.
pub fn set_condition(status: &mut Value, type_: &str, cstatus: &str, reason: &str, message: &str) {
    let now = now_str();
    let mut transition = now.clone();
    if let Some(cur) = condition(status, type_) {
        if cur["status"] == cstatus && cur["reason"] == reason {
            return;
        }
        if cur["status"] == cstatus {
            transition = cur["lastTransitionTime"].as_str().unwrap_or(&now).to_string();
        }
    }
    let mut conds: Vec<Value> = status["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c["type"] != type_)
        .collect();
    conds.push(json!({
        "type": type_,
        "status": cstatus,
        "lastUpdateTime": now,
        "lastTransitionTime": transition,
        "reason": reason,
        "message": message,
    }));
    status["conditions"] = json!(conds);
}

/// Whether every replica is updated and available for the current generation.
pub fn complete(d: &Value, s: &Value) -> bool {
    let n = replicas(d);
    num(s, "updatedReplicas") == n
        && num(s, "replicas") == n
        && num(s, "availableReplicas") == n
        && num(s, "observedGeneration") >= d["metadata"]["generation"].as_i64().unwrap_or(0)
}

fn progressing(old: &Value, new: &Value) -> bool {
    let old_old = num(old, "replicas") - num(old, "updatedReplicas");
    let new_old = num(new, "replicas") - num(new, "updatedReplicas");
    num(new, "updatedReplicas") > num(old, "updatedReplicas")
        || new_old < old_old
        || num(new, "readyReplicas") > num(old, "readyReplicas")
        || num(new, "availableReplicas") > num(old, "availableReplicas")
}

fn deadline(d: &Value) -> Option<i64> {
    match d["spec"]["progressDeadlineSeconds"].as_i64() {
        Some(s) if s == i64::from(i32::MAX) => None,
        Some(s) => Some(s),
        None => Some(600),
    }
}

/// Time left before the Progressing condition's last update passes the deadline.
fn time_left(d: &Value, s: &Value) -> Option<jiff::SignedDuration> {
    let secs = deadline(d)?;
    let c = condition(s, "Progressing")?;
    let at: jiff::Timestamp = c["lastUpdateTime"].as_str()?.parse().ok()?;
    Some((at + jiff::SignedDuration::from_secs(secs)).duration_since(jiff::Timestamp::now()))
}

/// The status without the Progressing verdict (calculateStatus): counters and Available.
pub fn calculate(d: &Value, all: &[&Rs], new: Option<&Rs>) -> Value {
    let mut s = counts(d, all, new);
    if let Some(c) = d["status"].get("conditions") {
        s["conditions"] = c.clone();
    }
    if num(&s, "availableReplicas") >= replicas(d) - max_unavailable(d) {
        set_condition(
            &mut s,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        );
    } else {
        set_condition(
            &mut s,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        );
    }
    s
}

/// The new status (syncRolloutStatus): counters, Available, and Progressing with its deadline.
/// Returns it with how long to wait before the deadline should be checked again.
pub fn rollout_status(d: &Value, all: &[&Rs], new: Option<&Rs>) -> (Value, Option<Duration>) {
    let old = &d["status"];
    let mut s = calculate(d, all, new);
    if deadline(d).is_none() {
        return (s, None);
    }
    let cur_reason = condition(&s, "Progressing").map(|c| c["reason"].clone());
    let done = num(&s, "replicas") == num(&s, "updatedReplicas") && cur_reason == Some(json!("NewReplicaSetAvailable"));
    if done {
        return (s, None);
    }
    let rs_name = new.map(|r| r.name.as_str()).unwrap_or_default();
    if complete(d, &s) {
        let msg = format!("ReplicaSet \"{rs_name}\" has successfully progressed.");
        set_condition(&mut s, "Progressing", "True", "NewReplicaSetAvailable", &msg);
        return (s, None);
    }
    if progressing(old, &s) {
        let msg = format!("ReplicaSet \"{rs_name}\" is progressing.");
        // Progress refreshes lastUpdateTime even when the reason stays, which restarts the deadline.
        if let Some(conds) = s["conditions"].as_array_mut() {
            conds.retain(|c| !(c["type"] == "Progressing" && c["status"] == "True"));
        }
        let transition = condition(old, "Progressing")
            .filter(|c| c["status"] == "True")
            .and_then(|c| c["lastTransitionTime"].as_str())
            .map(String::from);
        set_condition(&mut s, "Progressing", "True", "ReplicaSetUpdated", &msg);
        if let (Some(t), Some(conds)) = (transition, s["conditions"].as_array_mut())
            && let Some(c) = conds.iter_mut().find(|c| c["type"] == "Progressing")
        {
            c["lastTransitionTime"] = json!(t);
        }
    } else if cur_reason.as_ref().is_some_and(|r| r == "ProgressDeadlineExceeded")
        || time_left(d, &s).is_some_and(|t| t.is_negative())
    {
        let msg = format!("ReplicaSet \"{rs_name}\" has timed out progressing.");
        set_condition(&mut s, "Progressing", "False", "ProgressDeadlineExceeded", &msg);
    }
    let wait = match condition(&s, "Progressing") {
        Some(c) if c["reason"] == "ProgressDeadlineExceeded" => None,
        _ => time_left(d, &s).map(|t| t.unsigned_abs() + Duration::from_secs(1)),
    };
    (s, wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenceposts_round_like_the_controller() {
        let d = |surge: Value, unav: Value, n: i64| json!({"spec": {"replicas": n, "strategy": {"rollingUpdate": {"maxSurge": surge, "maxUnavailable": unav}}}});
        assert_eq!(fenceposts(&json!({"spec": {"replicas": 10}})), (3, 2));
        assert_eq!(fenceposts(&d(json!(0), json!(0), 3)), (0, 1));
        assert_eq!(fenceposts(&d(json!("50%"), json!("10%"), 3)), (2, 0));
        assert_eq!(
            fenceposts(&json!({"spec": {"replicas": 4, "strategy": {"type": "Recreate"}}})),
            (0, 0)
        );
    }

    #[test]
    fn condition_keeps_transition_time_when_only_the_reason_changes() {
        let mut s = json!({"conditions": [{"type": "Progressing", "status": "True", "reason": "A", "message": "",
            "lastUpdateTime": "2020-01-01T00:00:00Z", "lastTransitionTime": "2020-01-01T00:00:00Z"}]});
        set_condition(&mut s, "Progressing", "True", "A", "other message");
        assert_eq!(s["conditions"][0]["message"], "", "same status and reason: untouched");
        set_condition(&mut s, "Progressing", "True", "B", "m");
        assert_eq!(s["conditions"][0]["lastTransitionTime"], "2020-01-01T00:00:00Z");
        assert_ne!(s["conditions"][0]["lastUpdateTime"], "2020-01-01T00:00:00Z");
        set_condition(&mut s, "Progressing", "False", "C", "m");
        assert_ne!(s["conditions"][0]["lastTransitionTime"], "2020-01-01T00:00:00Z");
    }

    #[test]
    fn a_stalled_rollout_times_out() {
        let d = json!({"metadata": {"generation": 2}, "spec": {"replicas": 2, "progressDeadlineSeconds": 5},
            "status": {"replicas": 3, "updatedReplicas": 1, "readyReplicas": 2, "availableReplicas": 2,
            "conditions": [{"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
            "message": "", "lastUpdateTime": "2020-01-01T00:00:00Z", "lastTransitionTime": "2020-01-01T00:00:00Z"}]}});
        let new = Rs::new(json!({"metadata": {"name": "web-2"}, "spec": {"replicas": 1}, "status": {"replicas": 1}}));
        let old = Rs::new(json!({"metadata": {"name": "web-1"}, "spec": {"replicas": 2},
            "status": {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2}}));
        let (s, wait) = rollout_status(&d, &[&old, &new], Some(&new));
        let p = condition(&s, "Progressing").unwrap();
        assert_eq!(p["reason"], "ProgressDeadlineExceeded");
        assert_eq!(p["status"], "False");
        assert_eq!(p["message"], "ReplicaSet \"web-2\" has timed out progressing.");
        assert_eq!(wait, None);
        assert_eq!(s["updatedReplicas"], 1);
        assert_eq!(s["unavailableReplicas"], 1);
        assert_eq!(condition(&s, "Available").unwrap()["status"], "True");
    }
}
