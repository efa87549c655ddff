//! Errors in words: the chain of causes behind a failed request or configuration, said as one
//! sentence (address, refused / timed out / TLS / 401 / 403) wherever an error is shown.

use std::error::Error;
use std::io;

/// One readable sentence for `err` and every cause under it, e.g. `cannot connect to 127.0.0.1:1:
/// connection refused (nothing listens there)`. API answers keep kubectl's wording.
pub fn explain(err: &(dyn Error + 'static)) -> String {
    let chain = chain(err);
    if let Some(s) = chain.iter().find_map(|e| api_status(*e)) {
        return api_text(s);
    }
    let facts = chain.iter().find_map(|e| fact(*e));
    let connecting = chain
        .iter()
        .any(|e| matches!(e.to_string().as_str(), "client error (Connect)" | "tcp connect error"));
    let details = joined(&chain);
    match (facts, connecting) {
        (Some(f), true) => match address(err) {
            Some(addr) => format!("cannot connect to {addr}: {f} ({details})"),
            None => format!("cannot connect to the API server: {f} ({details})"),
        },
        (Some(f), false) => format!("{f} ({details})"),
        (None, true) => format!("cannot connect to the API server ({details})"),
        (None, false) => details,
    }
}

/// [`explain`] for an `anyhow` error (its context lines are part of the chain).
pub fn explain_any(err: &anyhow::Error) -> String {
    explain(err.as_ref())
}

/// kubectl's wording of an API error: `Error from server (NotFound): pods "x" not found`, with the
/// two that are about who asks said plainly.
pub fn api_text(s: &kube::core::Status) -> String {
    let reason = match (s.code, s.reason.as_str()) {
        (401, _) => {
            return format!(
                "Error from server (Unauthorized): the API server did not accept this context's credentials \
                 (expired or revoked token, or a client certificate it does not trust): {}",
                s.message
            );
        }
        (_, "") => "Unknown",
        (_, r) => r,
    };
    format!("Error from server ({reason}): {}", s.message)
}

/// The error and its causes, outermost first. An `io::Error` hides the error it wraps from
/// `source()`, so that one is looked into as well.
fn chain<'a>(err: &'a (dyn Error + 'static)) -> Vec<&'a (dyn Error + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        out.push(e);
        next = match e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => e.source(),
        };
        if out.len() > 32 {
            break;
        }
    }
    out
}

fn api_status<'a>(e: &'a (dyn Error + 'static)) -> Option<&'a kube::core::Status> {
    match e.downcast_ref::<kube::Error>()? {
        kube::Error::Api(s) => Some(s),
        _ => None,
    }
}

/// The messages of the chain joined with ": ", skipping a cause its parent already quotes.
fn joined(chain: &[&(dyn Error + 'static)]) -> String {
    let mut out = String::new();
    for e in chain {
        let text = e.to_string();
        if text.is_empty() || out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// What one link of the chain means, in words, if it is one we know.
fn fact(e: &(dyn Error + 'static)) -> Option<String> {
    if let Some(t) = e.downcast_ref::<rustls::Error>() {
        return Some(tls(t));
    }
    if e.to_string() == "dns error" {
        return Some("the host name does not resolve".into());
    }
    let io = e.downcast_ref::<io::Error>()?;
    use io::ErrorKind as K;
    let words = match io.kind() {
        K::ConnectionRefused => "connection refused (nothing listens there)",
        K::TimedOut => "timed out (no answer)",
        K::ConnectionReset => "connection reset by the server",
        K::ConnectionAborted => "connection aborted",
        K::HostUnreachable => "host unreachable",
        K::NetworkUnreachable => "network unreachable",
        K::AddrNotAvailable => "address not available",
        K::UnexpectedEof => "the server closed the connection",
        K::BrokenPipe => "the connection broke",
        _ => return None,
    };
    Some(words.into())
}

/// A TLS failure in words: whose certificate, and what is wrong with it.
fn tls(e: &rustls::Error) -> String {
    use rustls::{AlertDescription as A, CertificateError as C};
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            // BadSignature: an authority of the same name signed it (a CA replaced, another cluster's).
            C::UnknownIssuer | C::BadSignature => format!(
                "TLS: the server's certificate is not signed by the cluster's certificate authority \
                 (certificate-authority in the kubeconfig): {e}"
            ),
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                format!("TLS: the server's certificate is not valid for this host name ({e})")
            }
            C::Expired | C::ExpiredContext { .. } => format!("TLS: the certificate has expired ({e})"),
            C::NotValidYet | C::NotValidYetContext { .. } => format!("TLS: the certificate is not valid yet ({e})"),
            C::Other(o) if v1(o) => {
                "TLS: the certificate is X.509 version 1; only version 3 certificates can be used".into()
            }
            _ => format!("TLS: bad certificate ({e})"),
        },
        rustls::Error::AlertReceived(A::BadCertificate | A::CertificateRequired | A::UnknownCA) => {
            format!("TLS: the server refused the client certificate ({e})")
        }
        _ => format!("TLS: {e}"),
    }
}

/// Whether a certificate error is webpki's refusal of an X.509 v1 certificate.
pub fn v1(o: &rustls::OtherError) -> bool {
    matches!(
        o.0.downcast_ref::<webpki::Error>(),
        Some(webpki::Error::UnsupportedCertVersion)
    )
}

/// Whether the chain holds webpki's refusal of an X.509 v1 certificate.
pub fn is_v1_certificate(err: &(dyn Error + 'static)) -> bool {
    chain(err).iter().any(|e| match e.downcast_ref::<rustls::Error>() {
        Some(rustls::Error::InvalidCertificate(rustls::CertificateError::Other(o))) => v1(o),
        _ => false,
    })
}

/// The address a connection was refused at: hyper-util keeps it only in its error's debug text.
fn address(err: &(dyn Error + 'static)) -> Option<String> {
    let debug = format!("{err:?}");
    let re = regex::Regex::new(r#"ConnectError\("[^"]*", ([^,()\s]+)"#).expect("static regex");
    re.captures(&debug).map(|c| c[1].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("client error (Connect)")
        }
    }
    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_refused_connection_is_said_in_words() {
        let e = Outer(io::Error::from(io::ErrorKind::ConnectionRefused));
        let text = explain(&e);
        assert!(
            text.starts_with("cannot connect to the API server: connection refused"),
            "{text}"
        );
    }

    #[test]
    fn a_tls_error_inside_an_io_error_is_found() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let e = Outer(io::Error::new(io::ErrorKind::InvalidData, tls));
        let text = explain(&e);
        assert!(
            text.contains("not signed by the cluster's certificate authority"),
            "{text}"
        );
    }

    #[test]
    fn api_errors_keep_kubectls_wording_and_401_says_why() {
        let mut s = kube::core::Status::failure("pods \"x\" not found", "NotFound");
        s.code = 404;
        assert_eq!(
            explain(&kube::Error::Api(Box::new(s))),
            "Error from server (NotFound): pods \"x\" not found"
        );
        let mut s = kube::core::Status::failure("Unauthorized", "Unauthorized");
        s.code = 401;
        assert!(explain(&kube::Error::Api(Box::new(s))).contains("did not accept this context's credentials"));
    }
}
