//! Sessions: long-lived tasks started by an effect, reporting back as inputs, stopped by an effect,
//! when the screen holding them closes, or at quit; all listed in one registry, [`Sessions`].
//!
//! A kind of session is one file in `exec/sessions/` with a type implementing [`Session`] (which
//! says the effect that starts it and how it runs), plus its line in `exec/sessions/mod.rs`.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;

use kube::Client;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use crate::app::effect::{SessionId, next_session};
use crate::app::{Effect, Input};
use crate::cluster::logs::Tagged;

/// What keeps a session running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Runs until it ends, an effect stops it, or the program quits (a drain, a save).
    Own,
    /// Runs while a screen holds its number (`app::sessions::held`): a log stream stops when its
    /// view leaves the stack.
    Screen,
}

/// What an effect asks of a kind of session.
pub enum Asked<S> {
    /// Start one, under the number the screen gave it (None: a fresh one).
    Start(Option<SessionId>, S),
    /// Stop every session of the kind.
    Stop,
    /// Stop these sessions (of the kind).
    StopSome(Vec<SessionId>),
}

/// A kind of long-lived task.
pub trait Session: Sized + Send + 'static {
    /// Its name in the registry ("logs", "rollout").
    const KIND: &'static str;
    /// What keeps it running.
    const HOLD: Hold = Hold::Own;
    /// Starting one stops the others of its kind (one rollout panel follows one rollout).
    const ONE_AT_A_TIME: bool = false;

    /// What `effect` asks of this kind, if it is about it; else the effect back.
    // The effect is only moved back to the caller, once per kind it passes: not worth a box.
    #[allow(clippy::result_large_err)]
    fn asked(effect: Effect) -> Result<Asked<Self>, Effect>;

    /// Do the work, reporting through `ctx`. Stopping drops this future and cancels `ctx.cancel`,
    /// which tasks it spawns should watch (child tokens).
    fn run(self, ctx: Ctx) -> impl Future<Output = ()> + Send;
}

/// What every session is started with: the connection of the moment and the ways back to the loop.
#[derive(Clone)]
pub struct Base {
    /// The cluster's client (None: not connected).
    pub client: Option<Client>,
    /// The same connection without kube's 429 retry (evictions count down themselves).
    pub no_retry: Option<Client>,
    /// Inputs for `update`.
    pub inputs: mpsc::UnboundedSender<Input>,
    /// Log events: bounded, so a flood makes the readers wait instead of filling memory.
    pub logs: mpsc::Sender<Tagged>,
}

/// One session's handle on the world.
pub struct Ctx {
    /// Its number.
    pub id: SessionId,
    /// The cluster's client (None: not connected).
    pub client: Option<Client>,
    /// The client without 429 retries.
    pub no_retry: Option<Client>,
    /// Inputs for `update`.
    pub inputs: mpsc::UnboundedSender<Input>,
    /// Log events.
    pub logs: mpsc::Sender<Tagged>,
    /// Fires when the session is stopped.
    pub cancel: CancellationToken,
}

impl Ctx {
    /// Report to `update` (a closed loop is quitting: nothing to do about it).
    pub fn send(&self, input: Input) {
        let _ = self.inputs.send(input);
    }
}

struct Running {
    kind: &'static str,
    hold: Hold,
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

/// Every session that runs, by number.
#[derive(Default)]
pub struct Sessions {
    running: BTreeMap<SessionId, Running>,
}

impl Sessions {
    /// Do what `effect` asks of the kind `S`, if it is about it; else give the effect back.
    pub fn route<S: Session>(&mut self, base: &Base, effect: Effect) -> Option<Effect> {
        match S::asked(effect) {
            Ok(Asked::Start(id, session)) => self.start(base, id.unwrap_or_else(next_session), session),
            Ok(Asked::Stop) => self.stop_kind(S::KIND),
            Ok(Asked::StopSome(ids)) => {
                let ids: HashSet<SessionId> = ids.into_iter().collect();
                self.stop_where(|id, r| r.kind == S::KIND && ids.contains(&id));
            }
            Err(effect) => return Some(effect),
        }
        None
    }

    /// Run `session` under `id` (a session already under `id` is stopped first).
    pub fn start<S: Session>(&mut self, base: &Base, id: SessionId, session: S) {
        if S::ONE_AT_A_TIME {
            self.stop_kind(S::KIND);
        }
        self.stop(id);
        let cancel = CancellationToken::new();
        let ctx = Ctx {
            id,
            client: base.client.clone(),
            no_retry: base.no_retry.clone(),
            inputs: base.inputs.clone(),
            logs: base.logs.clone(),
            cancel: cancel.clone(),
        };
        let token = cancel.clone();
        let task = tokio::spawn(async move {
            tokio::select! {
                _ = token.cancelled() => {}
                _ = session.run(ctx) => {}
            }
        });
        let running = Running {
            kind: S::KIND,
            hold: S::HOLD,
            cancel,
            task,
        };
        self.running.insert(id, running);
    }

    /// Stop one session.
    pub fn stop(&mut self, id: SessionId) {
        if let Some(r) = self.running.remove(&id) {
            r.cancel.cancel();
        }
    }

    /// Stop every session of a kind.
    pub fn stop_kind(&mut self, kind: &str) {
        self.stop_where(|_, r| r.kind == kind);
    }

    /// Stop every session (quitting).
    pub fn stop_all(&mut self) {
        self.stop_where(|_, _| true);
    }

    /// Stop the screen-held sessions no screen holds any more, and forget the ones that ended.
    pub fn release(&mut self, held: &HashSet<SessionId>) {
        self.stop_where(|id, r| r.task.is_finished() || (r.hold == Hold::Screen && !held.contains(&id)));
    }

    /// What runs, by number: (number, kind).
    pub fn list(&self) -> Vec<(SessionId, &'static str)> {
        self.running
            .iter()
            .filter(|(_, r)| !r.task.is_finished())
            .map(|(id, r)| (*id, r.kind))
            .collect()
    }

    fn stop_where(&mut self, mut stop: impl FnMut(SessionId, &Running) -> bool) {
        self.running.retain(|id, r| {
            let go = stop(*id, r);
            if go {
                // An ended session's tasks (children of its token) end with it.
                r.cancel.cancel();
            }
            !go
        });
    }
}
