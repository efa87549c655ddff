//! Attaching to a container's main process through kube's WebSocket attach, on the handed-over
//! terminal, with stdin and a TTY when the container's spec has them. `ctrl-p ctrl-q` detaches
//! and leaves the process running (`exit` or `ctrl-d` would end it). Before the attach, a debug
//! session adds an ephemeral container, a node shell creates a pod on the node (deleted again
//! however the session ends); both wait until their container runs, saying each step.

use std::io::Write;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, AttachParams, DeleteParams};
use tokio::sync::mpsc;

use super::debug;
use super::shell::{not_running, refused};
use super::stream::{Ended, pump};
use super::terminal::TerminalSession;
use crate::app::Input;
use crate::cluster::ops::ObjRef;

/// How long a debug or node container may take to start.
const START_LIMIT: Duration = Duration::from_secs(120);

/// What happens before the attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepare {
    /// Nothing: the container runs.
    Nothing,
    /// Add an ephemeral container running `image` that targets `target`.
    Debug {
        /// The container whose processes it sees.
        target: String,
        /// Its image.
        image: String,
    },
    /// Create a debugging pod on `node` running `image`; delete it afterwards.
    Node {
        /// The node.
        node: String,
        /// Its image.
        image: String,
    },
}

/// An attach session for the terminal hand-over.
pub struct AttachSession {
    /// The connection.
    pub client: Client,
    /// The pod (for a node shell: its namespace; the name is made up).
    pub pod: ObjRef,
    /// The container (for a debug session: unused, a free `debugger-xxxxx` name is made up).
    pub container: String,
    /// What to do first.
    pub prepare: Prepare,
    /// Where the outcome is said.
    pub inputs: mpsc::UnboundedSender<Input>,
    /// The runtime the WebSocket runs on.
    pub handle: tokio::runtime::Handle,
}

/// A line on the handed-over terminal (raw mode: carriage return and new line), control
/// characters from the cluster dropped.
fn say(text: &str) {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    let mut out = std::io::stdout();
    let _ = write!(out, "{clean}\r\n");
    let _ = out.flush();
}

impl TerminalSession for AttachSession {
    fn kind(&self) -> &'static str {
        match self.prepare {
            Prepare::Nothing => "attach",
            Prepare::Debug { .. } => "debug container",
            Prepare::Node { .. } => "node shell",
        }
    }

    fn run(&self) -> Result<(), String> {
        super::stream::in_raw_mode(&self.handle, &self.inputs, self.session())
    }
}

impl AttachSession {
    async fn session(&self) -> Result<String, String> {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.pod.namespace);
        match &self.prepare {
            Prepare::Nothing => self.attach(&pods, &self.pod.name, &self.container).await,
            Prepare::Debug { target, image } => {
                let name = &self.pod.name;
                let pod = pods
                    .get(name)
                    .await
                    .map_err(|e| format!("pod {name}: {}", crate::cluster::errors::explain(&e)))?;
                let c = debug::debugger_name(&pod);
                say(&format!(
                    "Adding ephemeral container {c} ({image}) to pod {name}, targeting {target}."
                ));
                say("It stays in the pod: ephemeral containers cannot be removed or restarted.");
                debug::add_ephemeral(&pods, &pod, &c, target, image)
                    .await
                    .map_err(|e| format!("pod {name}: {e}"))?;
                debug::wait_running(&pods, name, &c, START_LIMIT, |s| say(&format!("… {s}"))).await?;
                self.attach(&pods, name, &c).await
            }
            Prepare::Node { node, image } => {
                say(&format!(
                    "Creating a debugging pod on node {node} in namespace {} ({image}, host namespaces, / at /host).",
                    self.pod.namespace
                ));
                let name = debug::create_node_pod(&pods, node, image)
                    .await
                    .map_err(|e| format!("on node {node}: {e}"))?;
                say(&format!("… pod {name} created"));
                // Deleted below; should kubedeck be ended (SIGHUP, SIGTERM) before that, at exit.
                let _hold = super::leftovers::hold(&self.client, &self.pod.namespace, &name);
                let ran =
                    match debug::wait_running(&pods, &name, &self.container, START_LIMIT, |s| say(&format!("… {s}")))
                        .await
                    {
                        Ok(_) => self.attach(&pods, &name, &self.container).await,
                        Err(e) => Err(e),
                    };
                // Gone whatever happened: a node shell leaves nothing behind.
                let deleted = match pods.delete(&name, &DeleteParams::default().grace_period(0)).await {
                    Ok(_) => format!("; pod {name} deleted"),
                    Err(e) => format!("; deleting pod {name} failed: {}", crate::cluster::errors::explain(&e)),
                };
                ran.map(|m| m + &deleted).map_err(|e| e + &deleted)
            }
        }
    }

    async fn attach(&self, pods: &Api<Pod>, name: &str, c: &str) -> Result<String, String> {
        let pod = pods
            .get(name)
            .await
            .map_err(|e| format!("pod {name}: {}", crate::cluster::errors::explain(&e)))?;
        if let Some(why) = not_running(&pod, c) {
            return Err(why);
        }
        let (stdin, tty) = io_of(&pod, c);
        let ap = AttachParams::default()
            .container(c.to_string())
            .stdin(stdin)
            .tty(tty && stdin)
            .stderr(!(tty && stdin));
        let process = pods
            .attach(name, &ap)
            .await
            .map_err(|e| refused(&e, name, c, "attach"))?;
        let detach = if stdin {
            ", ctrl-p ctrl-q detaches"
        } else {
            ", ctrl-p ctrl-q returns"
        };
        say(&format!("Attached to {name}/{c}{detach} (the process goes on)."));
        if tty && stdin {
            say("If you don't see a command prompt, try pressing enter.");
        }
        let how = pump(process, true).await?;
        match how {
            Ended::Detached => Ok(format!("detached from {name}/{c}: its process goes on")),
            Ended::Exit(code) => Ok(format!("the process of {name}/{c} ended with exit code {code}")),
            Ended::Missing(m) | Ended::Failed(m) => Err(m),
            Ended::Dropped => Err(why_dropped(pods, name, c).await),
        }
    }
}

/// Why an attach's connection ended without a word: the pod went, the process ended, or the
/// connection broke.
async fn why_dropped(pods: &Api<Pod>, name: &str, c: &str) -> String {
    match pods.get_opt(name).await {
        Ok(None) => format!("pod {name} was deleted: the attach to {c} ended"),
        Ok(Some(p)) if p.metadata.deletion_timestamp.is_some() => {
            format!("pod {name} is being deleted: the attach to {c} ended")
        }
        Ok(Some(p)) => match not_running(&p, c) {
            Some(why) => format!("the attach to {name}/{c} ended: {why}"),
            None => format!("the connection to {name}/{c} ended (connection lost); the process goes on"),
        },
        Err(e) => format!(
            "the connection to {name}/{c} ended: {}",
            crate::cluster::errors::explain(&e)
        ),
    }
}

/// Whether the container (regular or ephemeral) keeps stdin open and has a TTY, as its spec says.
fn io_of(pod: &Pod, container: &str) -> (bool, bool) {
    let Some(spec) = pod.spec.as_ref() else {
        return (false, false);
    };
    if let Some(c) = spec.containers.iter().find(|c| c.name == container) {
        return (c.stdin.unwrap_or(false), c.tty.unwrap_or(false));
    }
    spec.ephemeral_containers
        .iter()
        .flatten()
        .find(|c| c.name == container)
        .map_or((false, false), |c| (c.stdin.unwrap_or(false), c.tty.unwrap_or(false)))
}

/// Reads a pod's containers for the picker and answers `update`.
pub fn containers(
    client: Client,
    pod: ObjRef,
    purpose: crate::app::pick::Purpose,
    preselect: Option<String>,
    tx: mpsc::UnboundedSender<Input>,
) {
    tokio::spawn(async move {
        let pods: Api<Pod> = Api::namespaced(client, &pod.namespace);
        let result = debug::containers(&pods, &pod.name).await;
        let _ = tx.send(Input::Containers {
            pod,
            purpose,
            preselect,
            result,
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::ResourceExt;
    use serde_json::json;

    #[test]
    fn stdin_and_tty_come_from_the_containers_spec() {
        let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": {
            "containers": [{"name": "app"}, {"name": "repl", "stdin": true, "tty": true}],
            "ephemeralContainers": [{"name": "debugger-x", "stdin": true, "tty": true}]}}))
        .unwrap();
        assert_eq!(io_of(&pod, "app"), (false, false));
        assert_eq!(io_of(&pod, "repl"), (true, true));
        assert_eq!(io_of(&pod, "debugger-x"), (true, true));
        assert_eq!(pod.name_any(), "p");
    }
}
