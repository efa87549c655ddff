//! An interactive shell in a container through kube's WebSocket exec, on the handed-over terminal:
//! raw bytes both ways, the terminal's size on the resize channel, `bash` then `sh`. Every way it
//! ends (exit, no shell, pod not running, refused, connection dropped) comes back as words.

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams};
use kube::{Client, ResourceExt};
use tokio::sync::mpsc;

use super::stream::{Ended, pump};
use super::terminal::TerminalSession;
use crate::app::Input;
use crate::cluster::ops::ObjRef;

/// The shells tried in turn, as k9s and kubectl users try them.
pub const SHELLS: [&str; 2] = ["bash", "sh"];

/// A shell session for the terminal hand-over.
pub struct ShellSession {
    /// The connection.
    pub client: Client,
    /// The pod.
    pub pod: ObjRef,
    /// The container (None: the default container annotation's, else the first).
    pub container: Option<String>,
    /// Where the exit code is said.
    pub inputs: mpsc::UnboundedSender<Input>,
    /// The runtime the WebSocket runs on.
    pub handle: tokio::runtime::Handle,
}

/// The container a shell goes to: the one asked, else the `kubectl.kubernetes.io/default-container`
/// annotation's (when it names one), else the only one; `Err` with the names when the user must
/// choose (none: the pod has no containers).
pub fn pick_container(pod: &Pod, asked: Option<&str>) -> Result<String, Vec<String>> {
    let names: Vec<String> = pod
        .spec
        .as_ref()
        .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    if let Some(a) = asked {
        return Ok(a.to_string());
    }
    let annotated = pod.annotations().get("kubectl.kubernetes.io/default-container");
    match annotated.filter(|a| names.contains(a)) {
        Some(a) => Ok(a.clone()),
        None if names.len() == 1 => Ok(names[0].clone()),
        None => Err(names),
    }
}

/// Why a container cannot take a shell now, in words (None: it runs).
pub(crate) fn not_running(pod: &Pod, container: &str) -> Option<String> {
    let name = pod.name_any();
    let status = pod.status.as_ref();
    let statuses: Vec<_> = [
        status.and_then(|s| s.container_statuses.as_ref()),
        status.and_then(|s| s.ephemeral_container_statuses.as_ref()),
    ]
    .into_iter()
    .flatten()
    .flatten()
    .cloned()
    .collect();
    let Some(s) = statuses.iter().find(|s| s.name == container) else {
        return Some(format!("container {container} of pod {name} has not started"));
    };
    let state = s.state.as_ref();
    if state.is_some_and(|st| st.running.is_some()) {
        return None;
    }
    let why = state
        .and_then(|st| st.waiting.as_ref().and_then(|w| w.reason.clone()))
        .or_else(|| state.and_then(|st| st.terminated.as_ref().and_then(|t| t.reason.clone())))
        .unwrap_or_else(|| "not running".into());
    Some(format!("container {container} of pod {name} is not running ({why})"))
}

impl TerminalSession for ShellSession {
    fn kind(&self) -> &'static str {
        "shell"
    }

    fn run(&self) -> Result<(), String> {
        super::stream::in_raw_mode(&self.handle, &self.inputs, self.session())
    }
}

impl ShellSession {
    async fn session(&self) -> Result<String, String> {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.pod.namespace);
        let name = &self.pod.name;
        let pod = pods
            .get(name)
            .await
            .map_err(|e| format!("pod {name}: {}", crate::cluster::errors::explain(&e)))?;
        let container = match pick_container(&pod, self.container.as_deref()) {
            Ok(c) => c,
            Err(names) if names.is_empty() => return Err(format!("pod {name} has no containers")),
            Err(names) => {
                return Err(format!(
                    "pod {name} has several containers ({}): choose one",
                    names.join(", ")
                ));
            }
        };
        if let Some(why) = not_running(&pod, &container) {
            return Err(why);
        }
        let mut missing = Vec::new();
        for shell in SHELLS {
            let ap = AttachParams::interactive_tty().container(container.clone());
            let process = pods
                .exec(name, [shell], &ap)
                .await
                .map_err(|e| refused(&e, name, &container, "exec"))?;
            match pump(process, false).await? {
                Ended::Exit(code) => return Ok(format!("shell in {name}/{container} exited with code {code}")),
                Ended::Missing(_) => missing.push(shell),
                Ended::Failed(m) => return Err(m),
                Ended::Dropped | Ended::Detached => {
                    return Err(format!(
                        "the connection to the shell in {name}/{container} ended (pod deleted or connection lost)"
                    ));
                }
            }
        }
        Err(format!(
            "container {container} of pod {name} has no shell: neither {} is in its image",
            missing.join(" nor ")
        ))
    }
}

/// Words for an exec the server refused before the upgrade (kube keeps only the HTTP status).
/// `sub` is the subresource (`exec`, `attach`).
pub(crate) fn refused(e: &kube::Error, pod: &str, container: &str, sub: &str) -> String {
    let text = e.to_string();
    if text.contains("403") {
        format!("not allowed to {sub} in pod {pod}: RBAC refuses create on pods/{sub}")
    } else if text.contains("400") {
        format!("the server refused the {sub}: container {container} of pod {pod} is not running")
    } else if text.contains("404") {
        format!("pod {pod} not found")
    } else {
        format!("{sub}: {}", crate::cluster::errors::explain(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_default_container_annotation_is_honoured() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p", "annotations": {"kubectl.kubernetes.io/default-container": "app"}},
            "spec": {"containers": [{"name": "istio-proxy"}, {"name": "app"}]}}))
        .unwrap();
        assert_eq!(pick_container(&pod, None), Ok("app".into()));
        assert_eq!(pick_container(&pod, Some("istio-proxy")), Ok("istio-proxy".into()));
        // Without the annotation (or naming no container of the pod) the user chooses.
        let mut other = pod.clone();
        other.metadata.annotations = Some([("kubectl.kubernetes.io/default-container".into(), "gone".into())].into());
        assert_eq!(
            pick_container(&other, None),
            Err(vec!["istio-proxy".into(), "app".into()])
        );
        other.spec.as_mut().unwrap().containers.truncate(1);
        assert_eq!(pick_container(&other, None), Ok("istio-proxy".into()));
        assert!(not_running(&pod, "app").unwrap().contains("has not started"));
    }
}
