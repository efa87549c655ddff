//! A context that cannot be used as configured, said once in words: which kubeconfig, which
//! context and user entry, what is wrong, and what kubectl would do. Building a client does no
//! network I/O, so every failure to build one is a configuration error and retrying cannot help.

use kube::config::Kubeconfig;

use super::client::{ConnectOptions, load_kubeconfig};
use super::errors::{explain_any, is_v1_certificate};

/// The context a failed connection was for (when the kubeconfig names one) and what is wrong.
pub fn describe(opts: &ConnectOptions, err: &anyhow::Error) -> (Option<String>, String) {
    let kubeconfig = load_kubeconfig(opts).ok();
    let context = opts
        .context
        .clone()
        .or_else(|| kubeconfig.as_ref().and_then(|k| k.current_context.clone()));
    let files = files(opts);
    let why = explain_any(err);
    // A malformed file's message names it already, with line and column.
    let place = if why.contains(&files) {
        String::new()
    } else {
        format!(" (kubeconfig {files})")
    };
    let Some(name) = context.clone() else {
        return (None, format!("{why}{place}"));
    };
    let user = kubeconfig.as_ref().and_then(|k| user_of(k, &name));
    if is_v1_certificate(err.as_ref()) {
        let (user, cert) = match (&user, kubeconfig.as_ref()) {
            (Some(u), Some(k)) => (format!(" user {u:?}"), certificate_of(k, u)),
            _ => (String::new(), "the client certificate".into()),
        };
        let text = format!(
            "context {name:?}{user} (kubeconfig {files}): {cert} is an X.509 version 1 certificate. \
             kubectl accepts it; kubedeck cannot load it: its TLS library (rustls) takes only version 3 \
             client certificates. Re-issue it as version 3 (openssl x509 -req … -extfile with \
             \"extendedKeyUsage=clientAuth\"), or give this user a token."
        );
        return (context, text);
    }
    let user = user.map(|u| format!(" user {u:?}")).unwrap_or_default();
    let text = format!("context {name:?}{user}{place}: {why}");
    (context, text)
}

/// Where the kubeconfig was read from, as kubectl looks: `--kubeconfig`, `KUBECONFIG`, `~/.kube/config`.
fn files(opts: &ConnectOptions) -> String {
    if opts.inline.is_some() {
        return "built in".into();
    }
    if let Some(p) = &opts.kubeconfig {
        return p.display().to_string();
    }
    match std::env::var("KUBECONFIG") {
        Ok(v) if !v.is_empty() => v,
        _ => "~/.kube/config".into(),
    }
}

/// The user entry a context uses.
fn user_of(k: &Kubeconfig, context: &str) -> Option<String> {
    k.contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .and_then(|c| c.user.clone())
}

/// "client-certificate /path" or "client-certificate-data" of a user entry.
fn certificate_of(k: &Kubeconfig, user: &str) -> String {
    let auth = k
        .auth_infos
        .iter()
        .find(|a| a.name == user)
        .and_then(|a| a.auth_info.as_ref());
    match auth.and_then(|a| a.client_certificate.as_deref()) {
        Some(path) => format!("its client-certificate {path}"),
        None => "its client-certificate-data".into(),
    }
}
