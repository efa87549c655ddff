//! The effect executor: every `Effect` that `update` returns is performed here, or handed back to
//! the loop when it belongs to what the loop owns (the store, the connection, the terminal).
//! Long-lived work runs as sessions ([`session`]), listed in one registry.

pub mod attach;
pub mod debug;
pub mod external_edit;
pub mod leftovers;
pub mod run_cmd;
pub mod session;
pub mod sessions;
pub mod shell;
pub mod stream;
pub mod tasks;
pub mod terminal;

use std::collections::HashSet;
use std::io;
use std::sync::Arc;

use kube::Client;
use tokio::sync::mpsc;

use crate::app::{Effect, Input};
use crate::cluster::client::ConnectOptions;
use crate::cluster::logs::Tagged;
use crate::cluster::ops::ObjRef;
use crate::cluster::{Kind, Scope};
use crate::store::cache::Cache;
use session::{Base, SessionId, Sessions};
use terminal::{HandOver, Screen};

/// What the loop does itself.
#[derive(Debug)]
pub enum ForLoop {
    /// Leave.
    Quit,
    /// Make sure this watch runs and project it afresh.
    Watch(Kind, Scope),
    /// Drop the connection and connect with this context.
    SwitchContext(String),
    /// Give the terminal to a session ([`Executor::hand_over`]).
    HandOver(HandOver),
    /// Stop every watch of this kind.
    Unwatch(Kind),
}

/// Performs effects and keeps the sessions.
pub struct Executor {
    base: Base,
    cache: Option<Arc<Cache>>,
    clipboard: crate::clipboard::Target,
    /// Every session that runs.
    pub sessions: Sessions,
}

impl Executor {
    /// An executor reporting to `inputs` (and log events to `logs`), not connected yet.
    pub fn new(
        inputs: mpsc::UnboundedSender<Input>,
        logs: mpsc::Sender<Tagged>,
        clipboard: crate::clipboard::Target,
    ) -> Executor {
        Executor {
            base: Base {
                client: None,
                no_retry: None,
                inputs,
                logs,
            },
            cache: None,
            clipboard,
            sessions: Sessions::default(),
        }
    }

    /// A connection is up: effects from now on use it (sessions already running keep theirs).
    pub fn connected(&mut self, cache: Arc<Cache>, no_retry: Client) {
        self.base.client = Some(cache.client().clone());
        self.base.no_retry = Some(no_retry);
        self.cache = Some(cache);
    }

    /// Perform `effect`; what only the loop can do comes back.
    pub fn perform(&mut self, effect: Effect, opts: &ConnectOptions) -> Option<ForLoop> {
        let effect = sessions::route(effect, &mut self.sessions, &self.base)?;
        match effect {
            Effect::Quit => return Some(ForLoop::Quit),
            Effect::Watch(kind, scope) => return Some(ForLoop::Watch(kind, scope)),
            Effect::SwitchContext(name) => {
                // The rollout followed is the old cluster's; log views go with their screens.
                self.sessions.stop_kind(sessions::ROLLOUT);
                self.sessions.stop_kind(sessions::CRDS);
                self.cache = None;
                self.base.client = None;
                return Some(ForLoop::SwitchContext(name));
            }
            Effect::HandOverTerminal(h) => return Some(ForLoop::HandOver(h)),
            Effect::Shell { pod, container } => match &self.base.client {
                Some(client) => {
                    return Some(ForLoop::HandOver(HandOver::new(shell::ShellSession {
                        client: client.clone(),
                        pod,
                        container,
                        inputs: self.base.inputs.clone(),
                        handle: tokio::runtime::Handle::current(),
                    })));
                }
                None => self.send(Input::Error("shell: not connected".into())),
            },
            Effect::Attach { pod, container } => return self.attach(pod, container, attach::Prepare::Nothing),
            Effect::Debug { pod, target, image } => {
                return self.attach(pod, String::new(), attach::Prepare::Debug { target, image });
            }
            Effect::NodeShell { node, namespace, image } => {
                let pod = ObjRef::new(Kind::Pod, &namespace, "");
                return self.attach(pod, "debugger".into(), attach::Prepare::Node { node, image });
            }
            Effect::Containers {
                pod,
                purpose,
                preselect,
            } => match &self.base.client {
                Some(client) => attach::containers(client.clone(), pod, purpose, preselect, self.base.inputs.clone()),
                None => self.send(Input::Error("not connected".into())),
            },
            Effect::Unwatch(kind) => return Some(ForLoop::Unwatch(kind)),
            Effect::Copy(text) => self.send(tasks::copy(&text, self.clipboard)),
            Effect::ListContexts => self.send(tasks::contexts(opts)),
            Effect::Discover(context) => tasks::discover(context, self.base.no_retry.clone(), &self.base.inputs),
            other => tasks::spawn(
                other,
                self.cache.as_ref(),
                self.base.no_retry.as_ref(),
                &self.base.inputs,
            ),
        }
        None
    }

    /// An attach (after a debug container or node pod, as `prepare` says) on the handed-over terminal.
    fn attach(&self, pod: ObjRef, container: String, prepare: attach::Prepare) -> Option<ForLoop> {
        let Some(client) = &self.base.client else {
            self.send(Input::Error("attach: not connected".into()));
            return None;
        };
        Some(ForLoop::HandOver(HandOver::new(attach::AttachSession {
            client: client.clone(),
            pod,
            container,
            prepare,
            inputs: self.base.inputs.clone(),
            handle: tokio::runtime::Handle::current(),
        })))
    }

    /// After each turn: stop the sessions no screen holds any more (`app::sessions::held`).
    pub fn release(&mut self, held: &HashSet<SessionId>) {
        self.sessions.release(held);
    }

    /// Give the terminal to a session; its failure or panic reaches the user as an error. An error
    /// here is the terminal's: it could not be taken back.
    pub async fn hand_over(&mut self, screen: &mut impl Screen, session: HandOver) -> io::Result<()> {
        match terminal::hand_over(screen, session.clone()).await? {
            Err(e) => self.send(Input::Error(e)),
            Ok(()) => {
                if let Some(input) = session.0.report() {
                    self.send(input);
                }
            }
        }
        Ok(())
    }

    /// Stop every session (quitting).
    pub fn shutdown(&mut self) {
        self.sessions.stop_all();
    }

    fn send(&self, input: Input) {
        let _ = self.base.inputs.send(input);
    }
}

#[cfg(test)]
mod tests;
