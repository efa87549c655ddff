//! TLS for the demo cluster: a fresh self-signed CA and serving certificate per run, and a
//! listener that completes handshakes off the accept path so one slow client stalls no one.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::Context as _;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use super::faults::Faults;

/// The CA certificate clients trust (PEM) and the server's TLS configuration.
pub struct Certs {
    /// PEM of the CA that signed the serving certificate (goes into the kubeconfig).
    pub ca_pem: String,
    /// Server configuration with the serving certificate.
    pub server: Arc<rustls::ServerConfig>,
}

/// Makes a CA and a serving certificate for 127.0.0.1 and localhost.
pub fn make_certs() -> anyhow::Result<Certs> {
    let ca_key = rcgen::KeyPair::generate()?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "kubedeck-demo-ca");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
    let ca = ca_params.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let key = rcgen::KeyPair::generate()?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "kube-apiserver");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &issuer)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            pki_types::PrivateKeyDer::Pkcs8(pki_types::PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .context("serving certificate")?;
    Ok(Certs {
        ca_pem: ca.pem(),
        server: Arc::new(server),
    })
}

/// An axum listener yielding connections whose TLS handshake has completed.
pub struct TlsListener {
    rx: mpsc::Receiver<(Severable<tokio_rustls::server::TlsStream<TcpStream>>, SocketAddr)>,
    addr: SocketAddr,
}

impl TlsListener {
    /// Accepts on `tcp` until `cancel`, handshaking each connection in its own task; a
    /// [`Faults::restart`] cuts every connection and closes the port for the time it says, then
    /// calls `back` just before it listens again.
    pub fn new(
        tcp: TcpListener,
        config: Arc<rustls::ServerConfig>,
        cancel: CancellationToken,
        faults: Arc<Faults>,
        back: Box<dyn Fn() + Send>,
    ) -> io::Result<Self> {
        let addr = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (tx, rx) = mpsc::channel(64);
        let mut restarts = faults.restarts();
        tokio::spawn(async move {
            let mut tcp = Some(tcp);
            // Cancelled on a restart: every connection accepted before it ends.
            let mut cut = cancel.child_token();
            loop {
                let accepted = tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = restarts.changed() => {
                        let down = restarts.borrow_and_update().1;
                        cut.cancel();
                        cut = cancel.child_token();
                        // Closing the port makes new connections fail with "connection refused".
                        drop(tcp.take());
                        tokio::select! {
                            _ = cancel.cancelled() => return,
                            _ = tokio::time::sleep(down) => {}
                        }
                        back();
                        tcp = rebind(addr, &cancel).await;
                        continue;
                    }
                    r = accept(tcp.as_ref()) => r,
                };
                let (sock, peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::debug!("accept: {e}");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                // Go's net/http (the real API server) sets TCP_NODELAY on every connection; without it
                // a small write waits for the peer's delayed ACK (~40 ms a WebSocket upgrade).
                let _ = sock.set_nodelay(true);
                let (acceptor, tx, cut) = (acceptor.clone(), tx.clone(), cut.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(sock)).await {
                        Ok(Ok(tls)) => {
                            let io = Severable {
                                io: tls,
                                cut: Box::pin(cut.cancelled_owned()),
                            };
                            let _ = tx.send((io, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!("TLS handshake with {peer}: {e}"),
                        Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { rx, addr })
    }
}

async fn accept(tcp: Option<&TcpListener>) -> io::Result<(TcpStream, SocketAddr)> {
    match tcp {
        Some(t) => t.accept().await,
        None => std::future::pending().await,
    }
}

/// Binds `addr` again after a restart, retrying while the port is still held (or until `cancel`).
async fn rebind(addr: SocketAddr, cancel: &CancellationToken) -> Option<TcpListener> {
    loop {
        match TcpListener::bind(addr).await {
            Ok(t) => return Some(t),
            Err(e) => tracing::debug!("rebinding {addr}: {e}"),
        }
        tokio::select! {
            _ = cancel.cancelled() => return None,
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    }
}

/// A connection that a restart can cut: once `cut` fires, reads and writes fail as on a reset.
pub struct Severable<T> {
    io: T,
    cut: Pin<Box<WaitForCancellationFutureOwned>>,
}

impl<T> Severable<T> {
    fn check(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        match self.cut.as_mut().poll(cx) {
            Poll::Ready(()) => Err(io::Error::new(io::ErrorKind::ConnectionReset, "server restarted")),
            Poll::Pending => Ok(()),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Severable<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.check(cx)?;
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Severable<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.check(cx)?;
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check(cx)?;
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = Severable<tokio_rustls::server::TlsStream<TcpStream>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(conn) => conn,
            // The accept loop ended (shutdown): park until the server's graceful shutdown completes.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.addr)
    }
}
