//! Connecting to a cluster the way kubectl does: kubeconfig files, context, namespace, in-cluster fallback.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

/// Which kubeconfig and context to use (kubectl's `--kubeconfig` and `--context`).
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// An explicit kubeconfig file; otherwise `KUBECONFIG` (several files merged) or `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// The context to use instead of `current-context`.
    pub context: Option<String>,
    /// A kubeconfig already in memory (the demo cluster's); wins over `kubeconfig`.
    pub inline: Option<Kubeconfig>,
}

/// Whether any cluster configuration exists where kubectl would look: `--kubeconfig`, `KUBECONFIG`,
/// `~/.kube/config`, or an in-cluster service account. Without one, kubedeck shows its demo cluster.
pub fn any_config(explicit: Option<&std::path::Path>) -> bool {
    if explicit.is_some() {
        return true;
    }
    if std::env::var_os("KUBECONFIG").is_some_and(|v| !v.is_empty()) {
        return true;
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        return true;
    }
    std::env::var_os("HOME").is_some_and(|h| std::path::Path::new(&h).join(".kube/config").exists())
}

/// Where kubectl looks for cluster configuration, in its order, each with what is there: the demo
/// cluster's first-screen notice lists them when none was found.
pub fn searched_places() -> Vec<String> {
    let kubeconfig = match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        Some(v) => format!("$KUBECONFIG: {}", v.to_string_lossy()),
        None => "$KUBECONFIG: not set".into(),
    };
    let home = match std::env::var_os("HOME") {
        Some(h) => {
            let p = Path::new(&h).join(".kube/config");
            let found = if p.exists() { "found" } else { "not found" };
            format!("{}: {found}", p.display())
        }
        None => "~/.kube/config: no $HOME".into(),
    };
    let in_cluster = match std::env::var_os("KUBERNETES_SERVICE_HOST") {
        Some(_) => "in-cluster service account: $KUBERNETES_SERVICE_HOST set",
        None => "in-cluster service account: not in a pod ($KUBERNETES_SERVICE_HOST not set)",
    };
    vec![kubeconfig, home, in_cluster.into()]
}

/// A connected client and what the header shows about it.
#[derive(Clone)]
pub struct Connection {
    /// The client every request goes through.
    pub client: Client,
    /// The kubeconfig context name ("in-cluster" without a kubeconfig).
    pub context: String,
    /// The context's namespace, else "default".
    pub namespace: String,
    /// The API server URL.
    pub url: String,
    /// A client that hands 429s back instead of retrying them, for callers that show their own
    /// countdown (drain's evictions: kube-rs would otherwise back off for minutes, silently).
    pub no_retry: Client,
}

/// Read the kubeconfig as kubectl would: `--kubeconfig`, else the `KUBECONFIG` files merged (the
/// first to set a value wins; missing files are skipped, as client-go skips them), else `~/.kube/config`.
pub fn load_kubeconfig(opts: &ConnectOptions) -> anyhow::Result<Kubeconfig> {
    if let Some(k) = &opts.inline {
        return Ok(k.clone());
    }
    if let Some(path) = &opts.kubeconfig {
        return read_file(path);
    }
    let kubeconfig = std::env::var_os("KUBECONFIG");
    let set = kubeconfig.as_ref().is_some_and(|v| !v.is_empty());
    let home = std::env::var_os("HOME");
    anyhow::ensure!(
        set || home.is_some(),
        "no KUBECONFIG and no HOME to find ~/.kube/config in"
    );
    let paths = kubeconfig_files(kubeconfig, home);
    anyhow::ensure!(!paths.is_empty(), "none of the files in KUBECONFIG exists");
    let mut merged = Kubeconfig::default();
    for path in &paths {
        merged = merged
            .merge(read_file(path)?)
            .with_context(|| format!("merging kubeconfig {}", path.display()))?;
    }
    Ok(merged)
}

/// The kubeconfig files kubectl would read, given `$KUBECONFIG` and `$HOME`: the `KUBECONFIG` files
/// that exist (client-go skips missing ones), else `~/.kube/config`, else none.
fn kubeconfig_files(kubeconfig: Option<std::ffi::OsString>, home: Option<std::ffi::OsString>) -> Vec<PathBuf> {
    let from_env: Vec<PathBuf> = kubeconfig
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    if from_env.is_empty() {
        home.map(|h| PathBuf::from(h).join(".kube/config"))
            .filter(|p| p.exists())
            .into_iter()
            .collect()
    } else {
        from_env.into_iter().filter(|p| p.exists()).collect()
    }
}

/// Whether kubedeck may fall back to the in-cluster service account, as kubectl does: only when no
/// kubeconfig file exists where it looks. A malformed one is an error to show, never a reason to act
/// as another identity (a pod's service account).
fn in_cluster_fallback(opts: &ConnectOptions, files: &[PathBuf]) -> bool {
    opts.inline.is_none() && opts.kubeconfig.is_none() && opts.context.is_none() && files.is_empty()
}

/// Read one kubeconfig file; a malformed one is reported with its path, line, column and field.
fn read_file(path: &Path) -> anyhow::Result<Kubeconfig> {
    Kubeconfig::read_from(path).map_err(|err| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        anyhow::anyhow!("{}", located(path, &text, &err.to_string()))
    })
}

/// "FILE:LINE:COLUMN: field F: reason" from a parser message that says "line L column C: reason".
fn located(path: &Path, text: &str, message: &str) -> String {
    // The parser's message carries a source excerpt after its first line; the position says enough.
    let first = message.lines().next().unwrap_or(message);
    let re = regex::Regex::new(r"line (\d+) column (\d+):?\s*").expect("static regex");
    let Some(caps) = re.captures(first) else {
        return format!("kubeconfig {}: {first}", path.display());
    };
    let line: usize = caps[1].parse().unwrap_or(0);
    let reason = first[caps.get(0).map_or(0, |m| m.end())..].trim();
    let field = crate::yamlpath::field_at(text, line)
        .map(|f| format!(" field {f}:"))
        .unwrap_or_default();
    format!("kubeconfig {}:{line}:{}:{field} {reason}", path.display(), &caps[2])
}

/// The context names of a kubeconfig, in file order, and the current one.
pub fn contexts(kubeconfig: &Kubeconfig) -> (Vec<String>, Option<String>) {
    let names = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
    (names, kubeconfig.current_context.clone())
}

/// Build a client; without any kubeconfig fall back to the in-cluster service account, as kubectl does.
pub async fn connect(opts: &ConnectOptions) -> anyhow::Result<Connection> {
    let kubeconfig = match load_kubeconfig(opts) {
        Ok(k) => k,
        Err(err)
            if in_cluster_fallback(
                opts,
                &kubeconfig_files(std::env::var_os("KUBECONFIG"), std::env::var_os("HOME")),
            ) =>
        {
            let config = Config::incluster().map_err(|e| err.context(format!("in-cluster config: {e}")))?;
            return finish(config, "in-cluster".into());
        }
        Err(err) => return Err(err),
    };
    let context = opts
        .context
        .clone()
        .or_else(|| kubeconfig.current_context.clone())
        .context("the kubeconfig has no current-context; pass --context")?;
    let options = KubeConfigOptions {
        context: Some(context.clone()),
        ..Default::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .with_context(|| format!("loading context {context:?}"))?;
    finish(config, context)
}

/// A client for `config` without kube-rs's retry of 429/503/504.
pub fn no_retry_client(mut config: Config) -> anyhow::Result<Client> {
    config.default_retry = false;
    Client::try_from(config).context("building the Kubernetes client")
}

/// What kubedeck sends as its User-Agent, shaped like kubectl's (`kubectl/v1.33.4 (linux/amd64)`)
/// so that audit logs and API priority-and-fairness rules can tell its requests apart. The
/// architecture uses Go's names (amd64, arm64), as every other Kubernetes client reports them.
pub fn user_agent() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!(
        "kubedeck/{} ({}/{arch})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS
    )
}

fn finish(mut config: Config, context: String) -> anyhow::Result<Connection> {
    let agent = http::HeaderValue::from_str(&user_agent()).context("the User-Agent header")?;
    config.headers.push((http::header::USER_AGENT, agent));
    let namespace = config.default_namespace.clone();
    let url = config.cluster_url.to_string();
    let no_retry = no_retry_client(config.clone())?;
    // kube's own retry layer sits inside its stack, where 429s it retries are invisible: build it
    // outside a counting layer instead, with the same policy.
    let retry = std::mem::replace(&mut config.default_retry, false);
    let builder = kube::client::ClientBuilder::try_from(config)
        .context("building the Kubernetes client")?
        .with_layer(&tower::util::MapResponseLayer::new(super::counters::observe));
    let client = if retry {
        let policy = kube::client::retry::RetryPolicy::server_retry();
        // Retry clones the service below it: the buffer makes the boxed stack clonable.
        builder
            .with_layer(&tower::buffer::BufferLayer::new(1024))
            .with_layer(&tower::retry::RetryLayer::new(policy))
            .build()
    } else {
        builder.build()
    };
    Ok(Connection {
        client,
        context,
        namespace,
        url,
        no_retry,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_CONTEXTS: &str = r#"
apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c1
  cluster: { server: "http://127.0.0.1:1" }
- name: c2
  cluster: { server: "http://127.0.0.1:2" }
users:
- name: u
  user: { token: abc }
contexts:
- name: a
  context: { cluster: c1, user: u }
- name: b
  context: { cluster: c2, user: u, namespace: team-b }
"#;

    #[tokio::test]
    async fn context_namespace_and_url_come_from_the_chosen_context() {
        let kc = Kubeconfig::from_yaml(TWO_CONTEXTS).unwrap();
        let (names, current) = contexts(&kc);
        assert_eq!(names, ["a", "b"]);
        assert_eq!(current.as_deref(), Some("a"));
        let a = connect(&ConnectOptions {
            inline: Some(kc.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!((a.context.as_str(), a.namespace.as_str()), ("a", "default"));
        assert!(a.url.starts_with("http://127.0.0.1:1"), "{}", a.url);
        let opts = ConnectOptions {
            inline: Some(kc),
            context: Some("b".into()),
            ..Default::default()
        };
        let b = connect(&opts).await.unwrap();
        assert_eq!((b.context.as_str(), b.namespace.as_str()), ("b", "team-b"));
        assert!(b.url.starts_with("http://127.0.0.1:2"));
    }

    #[test]
    fn a_malformed_kubeconfig_names_file_line_and_field() {
        let dir = std::env::temp_dir().join(format!("kubedeck-kc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config");
        let text = TWO_CONTEXTS.replace("context: { cluster: c2, user: u, namespace: team-b }", "context: [c2]");
        std::fs::write(&path, &text).unwrap();
        let err = load_kubeconfig(&ConnectOptions {
            kubeconfig: Some(path.clone()),
            ..Default::default()
        })
        .unwrap_err()
        .to_string();
        let line = text.lines().position(|l| l.contains("[c2]")).unwrap() + 1;
        let at = format!("kubeconfig {}:{line}:", path.display());
        assert!(err.starts_with(&at), "{err}");
        assert!(err.contains("field contexts[1].context:"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_malformed_kubeconfig_is_never_passed_over_for_the_in_cluster_account() {
        let dir = std::env::temp_dir().join(format!("kubedeck-kc-fallback-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("home/.kube")).unwrap();
        let bad = dir.join("bad");
        std::fs::write(&bad, "clusters:\n- cluster:\n    server: [x\n").unwrap();
        let missing = dir.join("missing");
        let none = ConnectOptions::default();
        let files = |kc: Option<&std::path::Path>, home: &str| {
            kubeconfig_files(
                kc.map(|p| p.as_os_str().to_owned()),
                Some(dir.join(home).into_os_string()),
            )
        };
        // KUBECONFIG names a malformed file: that file is the configuration, its error is shown.
        assert_eq!(files(Some(&bad), "home"), vec![bad.clone()]);
        assert!(!in_cluster_fallback(&none, &files(Some(&bad), "home")));
        // Nothing where kubectl looks: the service account, as kubectl.
        assert!(in_cluster_fallback(&none, &files(Some(&missing), "home")));
        assert!(in_cluster_fallback(&none, &files(None, "home")));
        // ~/.kube/config exists (malformed or not): no fallback.
        std::fs::write(dir.join("home/.kube/config"), "not: [yaml").unwrap();
        assert!(!in_cluster_fallback(&none, &files(None, "home")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn unknown_context_is_an_error() {
        let kc = Kubeconfig::from_yaml(TWO_CONTEXTS).unwrap();
        let opts = ConnectOptions {
            inline: Some(kc),
            context: Some("nope".into()),
            ..Default::default()
        };
        assert!(connect(&opts).await.is_err());
    }
}
