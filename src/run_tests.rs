//! The event loop's connection attempt: a configuration error is said once, never retried.

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::spawn_connect;
use crate::cluster::client::ConnectOptions;

#[tokio::test]
async fn a_client_that_cannot_be_built_is_tried_once() {
    let dir = std::env::temp_dir().join(format!("kubedeck-once-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1-client");
    let yaml = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: v1\nclusters:\n- name: k\n  cluster: {{ server: \"https://127.0.0.1:1\" }}\n\
         users:\n- name: u\n  user: {{ client-certificate: {}, client-key: {} }}\n\
         contexts:\n- name: v1\n  context: {{ cluster: k, user: u }}\n",
        fixtures.join("client.crt").display(),
        fixtures.join("client.key").display()
    );
    let path = dir.join("config");
    std::fs::write(&path, yaml).unwrap();
    let opts = ConnectOptions {
        kubeconfig: Some(path),
        ..Default::default()
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    spawn_connect(opts, 7, tx, CancellationToken::new());
    let (id, result) = rx.recv().await.expect("one answer");
    assert_eq!(id, 7);
    assert!(result.is_err());
    // The attempt is over (its sender dropped) rather than waiting to try again.
    assert!(rx.recv().await.is_none(), "tried again");
    std::fs::remove_dir_all(&dir).unwrap();
}
