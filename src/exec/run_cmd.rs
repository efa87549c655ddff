//! `:exec CMD` on the executor's side: the command runs without a TTY through kube's WebSocket exec
//! (as `kubectl exec POD -- CMD`), its stdout and stderr are read to the end and come back as
//! document lines with the exit code; every way it cannot run comes back in words.

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, AttachParams};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::shell::{not_running, pick_container, refused};
use super::stream::{Ended, ended};
use crate::cluster::ops::ObjRef;

/// Output kept per stream: a command that prints more is cut, and says so.
const MAX_BYTES: usize = 4 << 20;

/// Read `from` to its end into `into`, keeping at most [`MAX_BYTES`]; whether it was cut.
async fn read_capped(mut from: impl AsyncRead + Unpin, into: &mut Vec<u8>) -> bool {
    let mut buf = vec![0u8; 16 * 1024];
    let mut cut = false;
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let room = MAX_BYTES.saturating_sub(into.len());
        cut |= n > room;
        into.extend_from_slice(&buf[..n.min(room)]);
    }
    cut
}

/// Output bytes as document lines: text from the container never reaches the terminal as control
/// sequences (tabs become spaces to the next multiple of 8, other control characters go).
pub fn lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    if text.is_empty() {
        return vec![];
    }
    text.split('\n')
        .map(|l| {
            let mut out = String::new();
            for c in l.chars() {
                match c {
                    '\t' => out.push_str(&" ".repeat(8 - out.chars().count() % 8)),
                    c if c.is_control() => {}
                    c => out.push(c),
                }
            }
            out
        })
        .collect()
}

/// What an exit code says beyond its number, as a shell means it.
fn meaning(code: i32) -> &'static str {
    match code {
        0 => "",
        126 => " (found but not executable)",
        127 => " (command not found)",
        c if c > 128 => " (killed by a signal)",
        _ => "",
    }
}

/// Run `command` in `pod` (its `container`, else the default one, else the first, as kubectl
/// says it defaulted); the document's lines, or why it could not run.
pub async fn run(
    client: Client,
    pod: ObjRef,
    container: Option<String>,
    command: Vec<String>,
) -> Result<Vec<String>, String> {
    let pods: Api<Pod> = Api::namespaced(client, &pod.namespace);
    let name = &pod.name;
    let found = pods
        .get(name)
        .await
        .map_err(|e| format!("pod {name}: {}", crate::cluster::errors::explain(&e)))?;
    let mut out = Vec::new();
    let container = match pick_container(&found, container.as_deref()) {
        Ok(c) => c,
        Err(names) if names.is_empty() => return Err(format!("pod {name} has no containers")),
        Err(names) => {
            out.push(format!(
                "Defaulted container \"{}\" out of: {}",
                names[0],
                names.join(", ")
            ));
            names[0].clone()
        }
    };
    if let Some(why) = not_running(&found, &container) {
        return Err(why);
    }
    let ap = AttachParams::default()
        .container(container.clone())
        .stdin(false)
        .stdout(true)
        .stderr(true);
    let mut process = pods
        .exec(name, command.clone(), &ap)
        .await
        .map_err(|e| refused(&e, name, &container, "exec"))?;
    let status = process.take_status().ok_or("exec: no status channel")?;
    let (Some(stdout), Some(stderr)) = (process.stdout(), process.stderr()) else {
        return Err("exec: no stdout/stderr channel".into());
    };
    let (mut o, mut e) = (Vec::new(), Vec::new());
    let (status, cut) = {
        let reading = async { tokio::join!(read_capped(stdout, &mut o), read_capped(stderr, &mut e)) };
        tokio::pin!(reading);
        tokio::pin!(status);
        let grace = std::time::Duration::from_secs(2);
        // kube-rs closes the pipes after the status; a dropped connection ends the status (None)
        // and may leave the pipes open: whichever ends first, the other gets a moment.
        tokio::select! {
            s = &mut status => {
                let cut = tokio::time::timeout(grace, &mut reading).await.map(|(a, b)| a || b).unwrap_or(false);
                (s, cut)
            }
            (a, b) = &mut reading => (tokio::time::timeout(grace, &mut status).await.ok().flatten(), a || b),
        }
    };
    out.extend(lines(&o));
    let err = lines(&e);
    if !err.is_empty() {
        out.push("── stderr ──".into());
        out.extend(err);
    }
    if cut {
        out.push(format!("(output cut at {} MiB)", MAX_BYTES >> 20));
    }
    out.push(String::new());
    match ended(status) {
        Ended::Exit(code) => out.push(format!("exit code {code}{}", meaning(code))),
        Ended::Missing(m) => {
            return Err(format!(
                "command not found: {:?} is not in the image of container {container} ({m})",
                command[0]
            ));
        }
        Ended::Failed(m) => return Err(format!("exec in {name}/{container} failed: {m}")),
        Ended::Dropped | Ended::Detached => out.push(format!(
            "the connection ended before the command did (pod {name} deleted or connection lost): no exit code"
        )),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_reaches_the_document_without_control_sequences() {
        assert_eq!(lines(b"a\tb\n\x1b[31mred\r\n"), ["a       b", "[31mred"]);
        assert_eq!(lines(b""), Vec::<String>::new());
        assert_eq!(lines(b"one\n\ntwo"), ["one", "", "two"]);
        assert_eq!(meaning(127), " (command not found)");
    }
}
