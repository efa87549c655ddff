//! Pod churn: deletes random pods of the bulk load deployments (namespace `load`) at a set rate,
//! gracefully, so the ReplicaSet controller replaces them and watches never go quiet.

use rand::seq::IndexedRandom;
use serde_json::json;

use super::Ctx;
use super::simkit::scaled;
use crate::store::{Store, now_str, pods};

/// Namespace whose pods churn.
pub const LOAD_NS: &str = "load";

/// Marks up to `n` random live pods of the load namespace for graceful deletion; returns how many.
pub fn delete_some(store: &Store, n: usize) -> usize {
    let (all, _) = store.list(pods(), Some(LOAD_NS));
    let live: Vec<_> = all.iter().filter(|o| !o.deleting).collect();
    let mut rng = rand::rng();
    let mut done = 0;
    for o in live.choose_multiple(&mut rng, n) {
        let now = now_str();
        let ok = store.update_with(pods(), &o.ns, &o.name, |p| {
            let grace = p["spec"]["terminationGracePeriodSeconds"].as_i64().unwrap_or(30);
            p["metadata"]["deletionTimestamp"] = json!(now);
            p["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            Ok(())
        });
        done += usize::from(ok.is_ok());
    }
    done
}

/// Runs the churn until cancelled; does nothing when `opts.churn` is 0.
pub async fn run(ctx: Ctx) {
    let rate = ctx.opts.churn;
    if rate <= 0.0 {
        return;
    }
    let mut tick = tokio::time::interval(scaled(ctx.opts.time_scale, 1.0));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut owed = 0.0f64;
    loop {
        tokio::select! {
            _ = ctx.cancel.cancelled() => break,
            _ = tick.tick() => {}
        }
        // Fractional rates accumulate, so 0.5/s deletes one pod every other second.
        owed = (owed + rate).min(rate.max(1.0) * 2.0);
        let n = owed.floor() as usize;
        if n > 0 {
            delete_some(&ctx.store, n);
            owed -= n as f64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::kubelet_tests::{pod, test_ctx};
    use super::*;
    use crate::store::Origin;

    #[tokio::test]
    async fn churn_marks_load_pods_for_deletion_only() {
        let mut ctx = test_ctx(0.01);
        ctx.opts.churn = 3.0;
        for i in 0..10 {
            ctx.store
                .create(
                    pods(),
                    pod(LOAD_NS, &format!("l-{i}"), json!({}), json!({})),
                    Origin::Internal,
                )
                .unwrap();
        }
        ctx.store
            .create(pods(), pod("shop", "web", json!({}), json!({})), Origin::Internal)
            .unwrap();
        let deleting = |s: &Store| s.list(pods(), None).0.iter().filter(|o| o.deleting).count();
        tokio::spawn(run(ctx.clone()));
        let ok =
            super::super::simkit::wait_for(&ctx.store, std::time::Duration::from_secs(5), |s| deleting(s) >= 6).await;
        assert!(ok);
        assert!(!ctx.store.get(pods(), "shop", "web").unwrap().deleting);
        let p = ctx
            .store
            .get_value(
                pods(),
                LOAD_NS,
                &ctx.store
                    .list(pods(), Some(LOAD_NS))
                    .0
                    .iter()
                    .find(|o| o.deleting)
                    .unwrap()
                    .name,
            )
            .unwrap();
        assert_eq!(p["metadata"]["deletionGracePeriodSeconds"], 30);
        ctx.cancel.cancel();
    }
}
