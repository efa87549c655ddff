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

/// A kubeconfig file whose one user signs in with the X.509 v1 certificate in
/// `tests/fixtures/v1-client` (made with `openssl x509 -req` and no extensions, as kubeadm-era
/// guides do; valid until 2126, so no test depends on the date).
fn v1_kubeconfig(dir: &std::path::Path) -> std::path::PathBuf {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1-client");
    let yaml = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: v1\nclusters:\n- name: k\n  cluster: {{ server: \"https://127.0.0.1:1\" }}\n\
         users:\n- name: v1-user\n  user:\n    client-certificate: {}\n    client-key: {}\n\
         contexts:\n- name: v1\n  context: {{ cluster: k, user: v1-user }}\n",
        fixtures.join("client.crt").display(),
        fixtures.join("client.key").display()
    );
    let path = dir.join("config");
    std::fs::write(&path, yaml).unwrap();
    path
}

#[tokio::test]
async fn a_v1_client_certificate_is_one_clear_configuration_error() {
    let dir = std::env::temp_dir().join(format!("kubedeck-v1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = v1_kubeconfig(&dir);
    let opts = ConnectOptions {
        kubeconfig: Some(path.clone()),
        ..Default::default()
    };
    let err = match client::connect(&opts).await {
        Ok(_) => panic!("rustls cannot load a v1 client certificate: the client should not build"),
        Err(e) => e,
    };
    let (context, message) = kubedeck::cluster::config_error::describe(&opts, &err);
    assert_eq!(context.as_deref(), Some("v1"));
    for part in [
        "context \"v1\" user \"v1-user\"".to_string(),
        format!("kubeconfig {}", path.display()),
        "tests/fixtures/v1-client/client.crt is an X.509 version 1 certificate".into(),
        "kubectl accepts it".into(),
        "Re-issue it as version 3".into(),
    ] {
        assert!(message.contains(&part), "{part:?} not in: {message}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_server_certificate_from_another_authority_is_said_as_such() {
    let c = sim::DemoCluster::start(common::fast_opts()).await.unwrap();
    // The kubeconfig trusts some other cluster's CA.
    use base64::Engine as _;
    let other = sim::make_certs().unwrap();
    let mut kc = c.kubeconfig();
    for cluster in &mut kc.clusters {
        let data = base64::engine::general_purpose::STANDARD.encode(&other.ca_pem);
        cluster.cluster.as_mut().unwrap().certificate_authority_data = Some(data);
    }
    let opts = ConnectOptions {
        inline: Some(kc),
        ..Default::default()
    };
    let conn = client::connect(&opts).await.unwrap();
    let err = conn.client.apiserver_version().await.unwrap_err();
    let text = explain(&err);
    assert!(
        text.starts_with(
            "cannot connect to the API server: TLS: the server's certificate is not signed by the cluster's certificate authority"
        ),
        "{text}"
    );
    c.stop().await;
}

#[tokio::test]
async fn a_malformed_kubeconfig_is_said_once_with_file_line_and_field() {
    let dir = std::env::temp_dir().join(format!("kubedeck-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: [oops]\n",
    )
    .unwrap();
    let opts = ConnectOptions {
        kubeconfig: Some(path.clone()),
        ..Default::default()
    };
    let err = client::connect(&opts)
        .await
        .err()
        .expect("a malformed kubeconfig does not load");
    let (context, message) = kubedeck::cluster::config_error::describe(&opts, &err);
    assert_eq!(context, None, "the file does not load, so it names no context");
    assert!(
        message.starts_with(&format!("kubeconfig {}:6:", path.display())),
        "{message}"
    );
    assert!(message.contains("field contexts[0].context"), "{message}");
    assert_eq!(message.matches(&path.display().to_string()).count(), 1, "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}
