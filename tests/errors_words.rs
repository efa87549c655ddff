//! Errors said in words, end to end: a refused connection through the real kube client, and
//! configuration errors (a client certificate rustls cannot load) said once.

mod common;

use kubedeck::cluster::client::{self, ConnectOptions};
use kubedeck::cluster::errors::explain;

/// A kubeconfig for `server` with a token user.
fn kubeconfig(server: &str) -> kube::config::Kubeconfig {
    let yaml = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {{ server: \"{server}\", insecure-skip-tls-verify: true }}\n\
         users:\n- name: u\n  user: {{ token: abc }}\ncontexts:\n- name: c\n  context: {{ cluster: k, user: u }}\n"
    );
    kube::config::Kubeconfig::from_yaml(&yaml).unwrap()
}

#[tokio::test]
async fn a_refused_connection_names_the_address_and_says_refused() {
    // A port that was just free: nothing listens on it now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let opts = ConnectOptions {
        inline: Some(kubeconfig(&format!("https://127.0.0.1:{port}"))),
        ..Default::default()
    };
    let conn = client::connect(&opts).await.unwrap();
    let err = conn.client.apiserver_version().await.unwrap_err();
    let text = explain(&err);
    assert!(
        text.starts_with(&format!("cannot connect to 127.0.0.1:{port}: connection refused")),
        "{text}"
    );
}
