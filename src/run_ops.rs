//! Performs the workload-action effects for the event loop: each runs in its own task and comes
//! back as an `Input`.

use std::time::Duration;

use kube::Client;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::app::{Effect, Input};
use crate::cluster::ops::{self, Op, drain, history, precheck, rollback, status};

/// How often a rollout status panel re-reads its object.
const STATUS_POLL: Duration = Duration::from_secs(1);

/// Tasks that outlive one effect: the rollout being followed.
#[derive(Default)]
pub struct Ops {
    follow: Option<CancellationToken>,
    /// The connection's client that does not retry 429s (evictions).
    pub no_retry: Option<Client>,
}

impl Ops {
    /// Start what `effect` asks for; false when it is not a workload-action effect.
    pub fn perform(&mut self, effect: &Effect, client: Option<&Client>, tx: &UnboundedSender<Input>) -> bool {
        if matches!(effect, Effect::StopFollow) {
            if let Some(t) = self.follow.take() {
                t.cancel();
            }
            return true;
        }
        let Some(client) = client.cloned() else {
            // Not connected: say so rather than drop the request silently.
            if effect.writes() || matches!(effect, Effect::ScaleInfo(_) | Effect::LoadHistory(_)) {
                let _ = tx.send(Input::Error("not connected to a cluster".into()));
                return true;
            }
            return false;
        };
        let tx = tx.clone();
        let no_retry = self.no_retry.clone();
        match effect.clone() {
            Effect::Mutate { target, op } => {
                tokio::spawn(async move {
                    let result = if op == Op::Drain {
                        let progress = tx.clone();
                        let t = target.clone();
                        let emit = move |line| {
                            let _ = progress.send(Input::Progress {
                                target: t.clone(),
                                line,
                            });
                        };
                        let evictor = no_retry.unwrap_or_else(|| client.clone());
                        let opts = drain::DrainOptions::default();
                        drain::drain(&client, &evictor, &target.name, &opts, emit).await
                    } else {
                        ops::perform(&client, &target, &op).await
                    };
                    let _ = tx.send(Input::Done { target, op, result });
                });
            }
            Effect::DryRunRollback { target, revision } => {
                tokio::spawn(async move {
                    let result = rollback::dry_run(&client, &target, revision).await;
                    let _ = tx.send(Input::DryRun {
                        target,
                        revision,
                        result,
                    });
                });
            }
            Effect::ScaleInfo(target) => {
                tokio::spawn(async move {
                    let result = precheck::scale_info(&client, &target).await;
                    let _ = tx.send(Input::ScaleInfo { target, result });
                });
            }
            Effect::LoadHistory(target) => {
                tokio::spawn(async move {
                    let result = history::load(&client, &target).await;
                    let _ = tx.send(Input::History { target, result });
                });
            }
            Effect::FollowRollout(target) => {
                if let Some(t) = self.follow.take() {
                    t.cancel();
                }
                let token = CancellationToken::new();
                self.follow = Some(token.clone());
                tokio::spawn(async move {
                    let t = target.clone();
                    let emit = |reading| {
                        let _ = tx.send(Input::Rollout {
                            target: t.clone(),
                            reading,
                        });
                    };
                    tokio::select! {
                        _ = token.cancelled() => {}
                        _ = status::follow(&client, &target, STATUS_POLL, emit) => {}
                    }
                });
            }
            _ => return false,
        }
        true
    }
}
