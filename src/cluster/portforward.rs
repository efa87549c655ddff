//! Port-forwarding through kube-rs: the ports a pod or Service declares, a Service's port resolved
//! to a ready pod's port as kubectl resolves it, and the forward itself — a local listener where
//! every accepted connection opens its own port-forward WebSocket (kube-rs has one stream per
//! port per WebSocket), counted both ways.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::{Api, ListParams};
use kube::{Client, ResourceExt};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::app::forwards::{Declared, Stats};
use crate::cluster::Kind;
use crate::cluster::ops::ObjRef;

/// Local ports tried after a taken one before giving up (a port under 1024 walks up past them).
const TRIES: u16 = 2000;

fn explain(e: kube::Error) -> String {
    crate::cluster::errors::explain(&e)
}

/// The first local port from `port` up that can be bound on 127.0.0.1.
pub fn free_from(port: u16) -> u16 {
    (0..TRIES)
        .filter_map(|i| port.checked_add(i))
        .find(|&p| StdListener::bind(("127.0.0.1", p)).is_ok())
        .unwrap_or(port)
}

/// The TCP ports `target` declares (a pod's containers', of `container` only when given; a
/// Service's ports), each with the local port offered for it.
pub async fn declared(client: &Client, target: &ObjRef, container: Option<&str>) -> Result<Vec<Declared>, String> {
    let mut out: Vec<(u16, String)> = Vec::new();
    if target.kind == Kind::Service {
        let svc = Api::<Service>::namespaced(client.clone(), &target.namespace)
            .get(&target.name)
            .await
            .map_err(explain)?;
        for p in svc.spec.and_then(|s| s.ports).unwrap_or_default() {
            if p.protocol.as_deref().unwrap_or("TCP") == "TCP" {
                out.push((p.port as u16, p.name.unwrap_or_default()));
            }
        }
    } else {
        let pod = Api::<Pod>::namespaced(client.clone(), &target.namespace)
            .get(&target.name)
            .await
            .map_err(explain)?;
        for c in pod.spec.map(|s| s.containers).unwrap_or_default() {
            if container.is_some_and(|want| want != c.name) {
                continue;
            }
            for p in c.ports.unwrap_or_default() {
                if p.protocol.as_deref().unwrap_or("TCP") == "TCP" {
                    out.push((p.container_port as u16, p.name.unwrap_or_default()));
                }
            }
        }
    }
    let mut taken = Vec::new();
    Ok(out
        .into_iter()
        .map(|(port, name)| {
            // Two declared ports may offer the same local one (53/TCP twice): the next one then.
            let mut local = free_from(port);
            while taken.contains(&local) {
                local = free_from(local.saturating_add(1));
            }
            taken.push(local);
            Declared { port, name, local }
        })
        .collect())
}

fn running(p: &Pod) -> bool {
    p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running") && p.metadata.deletion_timestamp.is_none()
}

fn ready(p: &Pod) -> bool {
    let conds = p.status.as_ref().and_then(|s| s.conditions.as_ref());
    conds.is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The pod (name and uid) and port a forward of `target`'s `remote` port reaches now, avoiding
/// the pod named `avoid` (the one that went): a pod itself when running (kubectl refuses others),
/// or a running pod behind the Service, ready ones first, its target port looked up by name in
/// the pod's container ports when named.
pub async fn resolve(
    client: &Client,
    target: &ObjRef,
    remote: u16,
    avoid: Option<&str>,
) -> Result<(String, String, u16), String> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &target.namespace);
    if target.kind == Kind::Pod {
        let pod = pods.get(&target.name).await.map_err(explain)?;
        if !running(&pod) {
            let phase = pod.status.and_then(|s| s.phase).unwrap_or_else(|| "Unknown".into());
            return Err(format!(
                "unable to forward port because pod is not running. Current status={phase}"
            ));
        }
        return Ok((pod.name_any(), pod.uid().unwrap_or_default(), remote));
    }
    let svc = Api::<Service>::namespaced(client.clone(), &target.namespace)
        .get(&target.name)
        .await
        .map_err(explain)?;
    let spec = svc.spec.unwrap_or_default();
    let Some(sp) = spec
        .ports
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.port == i32::from(remote))
    else {
        return Err(format!("Service {} does not have a service port {remote}", target.name));
    };
    let selector = spec.selector.unwrap_or_default();
    if selector.is_empty() {
        return Err(format!("service {} has no selector: no pod to forward to", target.name));
    }
    let labels: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut list = pods
        .list(&ListParams::default().labels(&labels.join(",")))
        .await
        .map_err(explain)?
        .items;
    list.retain(|p| running(p) && Some(p.name_any().as_str()) != avoid);
    // kubectl takes the first of the active pods, ready ones first.
    list.sort_by_key(|p| (!ready(p), p.name_any()));
    let Some(pod) = list.into_iter().next() else {
        return Err(format!("no running pod behind service {}", target.name));
    };
    let port = match sp.target_port {
        None => remote,
        Some(IntOrString::Int(n)) => n as u16,
        Some(IntOrString::String(name)) => {
            let ports = pod
                .spec
                .iter()
                .flat_map(|s| &s.containers)
                .flat_map(|c| c.ports.iter().flatten());
            let found = ports.into_iter().find(|p| p.name.as_deref() == Some(name.as_str()));
            match found {
                Some(p) => p.container_port as u16,
                None => return Err(format!("Pod '{}' does not have a named port '{name}'", pod.name_any())),
            }
        }
    };
    Ok((pod.name_any(), pod.uid().unwrap_or_default(), port))
}

/// A forward's counters, shared by its connections.
#[derive(Debug, Default)]
pub struct Counters {
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    open: AtomicU64,
    total: AtomicU64,
    errors: AtomicU64,
}

impl Counters {
    /// What they say now.
    pub fn stats(&self) -> Stats {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Stats {
            bytes_in: get(&self.bytes_in),
            bytes_out: get(&self.bytes_out),
            open: get(&self.open),
            total: get(&self.total),
            errors: get(&self.errors),
        }
    }

    /// A connection failed.
    pub fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }
}

/// The local end of a forwarded connection, counting what passes: read from it goes to the pod
/// (out), written to it came from the pod (in).
struct Counted<T> {
    inner: T,
    counters: Arc<Counters>,
}

impl<T: AsyncRead + Unpin> AsyncRead for Counted<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = (buf.filled().len() - before) as u64;
        self.counters.bytes_out.fetch_add(n, Ordering::Relaxed);
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Counted<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if let Poll::Ready(Ok(n)) = &r {
            self.counters.bytes_in.fetch_add(*n as u64, Ordering::Relaxed);
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Opens a port-forward WebSocket to `pod`'s `port` and checks that the port answers (its error
/// channel says nothing at once): a refusal (403, pod not running) is known before any client.
pub async fn probe(client: &Client, namespace: &str, pod: &str, port: u16) -> Result<(), String> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let mut pf = pods.portforward(pod, &[port]).await.map_err(explain)?;
    let err = pf.take_error(port);
    drop(pf.take_stream(port));
    let r = match err {
        Some(e) => e.await.map_or(Ok(()), Err),
        None => Ok(()),
    };
    pf.abort();
    r
}

/// Carries one accepted connection to `pod`'s `port` over a WebSocket of its own; the error the
/// port's channel gives, if any.
pub async fn carry(
    client: Client,
    namespace: &str,
    pod: &str,
    port: u16,
    local: tokio::net::TcpStream,
    counters: Arc<Counters>,
) -> Result<(), String> {
    let pods: Api<Pod> = Api::namespaced(client, namespace);
    counters.total.fetch_add(1, Ordering::Relaxed);
    counters.open.fetch_add(1, Ordering::Relaxed);
    let r = async {
        let mut pf = pods.portforward(pod, &[port]).await.map_err(explain)?;
        let mut remote = pf.take_stream(port).ok_or("no stream for the port")?;
        let err = pf.take_error(port).ok_or("no error channel for the port")?;
        let mut local = Counted {
            inner: local,
            counters: counters.clone(),
        };
        let r = tokio::select! {
            r = tokio::io::copy_bidirectional(&mut local, &mut remote) => r.map(|_| ()).map_err(|e| e.to_string()),
            Some(msg) = err => Err(msg),
        };
        pf.abort();
        r
    }
    .await;
    counters.open.fetch_sub(1, Ordering::Relaxed);
    if r.is_err() {
        counters.error();
    }
    r
}

/// Binds the local listener, saying what stands in the way when it cannot.
pub fn listen(addr: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    let std = StdListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    std.set_nonblocking(true).map_err(|e| e.to_string())?;
    tokio::net::TcpListener::from_std(std).map_err(|e| format!("cannot listen on {addr}: {e}"))
}
