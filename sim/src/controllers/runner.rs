//! The loop every workload controller runs: watch the store, queue the objects a change concerns,
//! reconcile each queued object to its desired state. Level-triggered like the real controllers:
//! a reconcile reads the whole current state, so coalesced or lost notices do no harm.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;

use super::super::resources::ResId;
use super::super::store::{Event, Key, Store};
use super::Ctx;

/// A controller: what it watches and how it reconciles.
#[derive(Clone, Copy)]
pub struct Controller {
    /// Name in logs, e.g. "deployment-controller".
    pub name: &'static str,
    /// Kind whose every object is queued at start and after missed notices.
    pub primary: ResId,
    /// The objects a store change concerns.
    pub keys_for: fn(&Store, &Event) -> Vec<Key>,
    /// Brings one object to its desired state; `Some(d)` asks to look again after `d` (time-based
    /// conditions such as minReadySeconds or a progress deadline).
    pub reconcile: fn(&Ctx, &Key) -> Option<Duration>,
}

fn queue_all(ctx: &Ctx, c: &Controller, q: &mut BTreeSet<Key>) {
    let (objs, _) = ctx.store.list(c.primary, None);
    q.extend(objs.iter().map(|o| o.key()));
}

/// Runs `c` until the context is cancelled.
pub async fn run(ctx: Ctx, c: Controller) {
    let mut rx = ctx.store.subscribe();
    let mut queue = BTreeSet::new();
    queue_all(&ctx, &c, &mut queue);
    let mut wake: HashMap<Key, Instant> = HashMap::new();
    loop {
        loop {
            match rx.try_recv() {
                Ok(ev) => queue.extend((c.keys_for)(&ctx.store, &ev)),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Lagged(n)) => {
                    tracing::debug!(controller = c.name, missed = n, "resyncing after missed changes");
                    queue_all(&ctx, &c, &mut queue);
                }
                Err(TryRecvError::Closed) => return,
            }
        }
        let now = Instant::now();
        wake.retain(|k, at| {
            let due = *at <= now;
            if due {
                queue.insert(k.clone());
            }
            !due
        });
        if queue.is_empty() {
            let next = wake.values().min().copied();
            tokio::select! {
                _ = ctx.cancel.cancelled() => return,
                ev = rx.recv() => match ev {
                    Ok(ev) => queue.extend((c.keys_for)(&ctx.store, &ev)),
                    Err(RecvError::Lagged(_)) => queue_all(&ctx, &c, &mut queue),
                    Err(RecvError::Closed) => return,
                },
                _ = tokio::time::sleep_until(next.unwrap_or(now)), if next.is_some() => {}
            }
            continue;
        }
        for key in std::mem::take(&mut queue) {
            if ctx.cancel.is_cancelled() {
                return;
            }
            if let Some(after) = (c.reconcile)(&ctx, &key) {
                let at = Instant::now() + after;
                wake.entry(key).and_modify(|w| *w = (*w).min(at)).or_insert(at);
            }
            // Big scale-ups create thousands of pods; let the API server's tasks breathe.
            tokio::task::yield_now().await;
        }
    }
}
