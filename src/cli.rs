//! Command-line flags, named as kubectl names them so that muscle memory carries over.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// kubedeck: a terminal dashboard for Kubernetes.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "kubedeck",
    version,
    about,
    after_help = "Keys: press ? inside kubedeck. Config: ~/.config/kubedeck/config.yaml (see README).\n\
                  Environment: KUBECONFIG, KUBEDECK_CONFIG_DIR, KUBEDECK_LOG, NO_COLOR, COLORTERM."
)]
pub struct Cli {
    /// Path to the kubeconfig file to use (default: $KUBECONFIG, several files merged, or ~/.kube/config).
    #[arg(long, value_name = "FILE", global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// The name of the kubeconfig context to use.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The namespace to show (default: the context's namespace, else "default").
    #[arg(short = 'n', long, value_name = "NAME")]
    pub namespace: Option<String>,
    /// Show objects of every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Remove every action that changes the cluster.
    #[arg(long)]
    pub readonly: bool,
    /// Treat the context as protected: destructive actions need the object's name typed.
    #[arg(long)]
    pub protected: bool,
    /// Start the built-in demo cluster and connect to it.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: start the demo cluster with faults on, comma-separated: failing-check=NAME
    /// (a /readyz and /livez check), stale-leader (kube-scheduler stops renewing its lease),
    /// huge-log-line=SIZE (the line each container writes as it is switched on is SIZE long, e.g. 20MB), bidi-event (an
    /// Event, and a log line, whose text holds bidi controls and zero-width characters), jane-only=NAMESPACE (the
    /// restricted user may use that namespace only).
    #[arg(long, value_name = "LIST", requires = "demo")]
    pub demo_faults: Option<String>,
    /// The screen to open on: cp (the control plane) or a resource such as pods, deploy, nodes
    /// (default: default_screen of the config, itself cp by default).
    #[arg(long, value_name = "NAME")]
    pub screen: Option<String>,
    /// Colour theme: default, light, high-contrast, ansi16, mono, a name in <config dir>/themes, or a path.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Keymap: default, vim, a name in <config dir>/keymaps, or a path.
    #[arg(long, value_name = "NAME|PATH")]
    pub keymap: Option<String>,
    /// Config file (or directory holding config.yaml, themes/, keymaps/); default: $KUBEDECK_CONFIG_DIR or ~/.config/kubedeck.
    #[arg(long, value_name = "FILE|DIR", global = true)]
    pub config: Option<PathBuf>,
    /// Capture the mouse (wheel scrolls); the terminal's own text selection then needs shift.
    #[arg(long)]
    pub mouse: bool,
    /// Write the log here instead of the state directory.
    #[arg(long, value_name = "FILE", global = true)]
    pub log_file: Option<PathBuf>,
    /// Lines a log view keeps (default: `log_ring` in the config file, 100000); older ones leave the
    /// buffer and are counted.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(usize))]
    pub log_lines: Option<usize>,
    /// Run something other than the dashboard.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the demo cluster alone, writing a kubeconfig for kubectl and kubedeck.
    DemoServer(DemoServerArgs),
    /// Print a shell completion script (e.g. `kubedeck completions bash > /etc/bash_completion.d/kubedeck`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Write the completion script for `shell` to `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    use clap::CommandFactory;
    clap_complete::generate(shell, &mut Cli::command(), "kubedeck", out);
}

/// Flags of `kubedeck demo-server`.
#[derive(Debug, Clone, Args)]
pub struct DemoServerArgs {
    /// Where to write the kubeconfig that points at the demo cluster.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig_out: PathBuf,
    /// Worker nodes (besides the control-plane node).
    #[arg(long, value_name = "N")]
    pub nodes: Option<usize>,
    /// Extra pods on top of the realistic scenario.
    #[arg(long, value_name = "N")]
    pub pods: Option<usize>,
    /// Pod replacements per second.
    #[arg(long, value_name = "R")]
    pub churn: Option<f64>,
    /// Log lines per second per container.
    #[arg(long, value_name = "R")]
    pub log_rate: Option<f64>,
    /// Faults to switch on, as kubedeck's --demo-faults.
    #[arg(long, value_name = "LIST")]
    pub demo_faults: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::{apply_demo_faults, parse_size};

    #[test]
    fn kubectl_flag_names_parse() {
        let cli =
            Cli::try_parse_from(["kubedeck", "--context", "prod", "-n", "kube-system", "-A", "--readonly"]).unwrap();
        assert_eq!(cli.context.as_deref(), Some("prod"));
        assert_eq!(cli.namespace.as_deref(), Some("kube-system"));
        assert!(cli.all_namespaces && cli.readonly && !cli.demo);
    }

    #[test]
    fn demo_faults_switch_on_what_they_name_and_refuse_the_rest() {
        let cli =
            Cli::try_parse_from(["kubedeck", "--demo", "--demo-faults", "failing-check=etcd,stale-leader"]).unwrap();
        assert_eq!(cli.screen, None, "the config's default_screen applies");
        let faults = sim::Faults::default();
        apply_demo_faults(cli.demo_faults.as_deref().unwrap(), &faults).unwrap();
        assert_eq!(faults.failing_check().as_deref(), Some("etcd"));
        assert!(faults.stale_leader());
        apply_demo_faults("huge-log-line=20MB, bidi-event", &faults).unwrap();
        assert_eq!(faults.huge_log_line(), 20 << 20);
        assert!(*faults.bidi_events().borrow());
        assert_eq!(parse_size("512k").unwrap(), 512 << 10);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        for bad in ["", "MB", "5X", "0"] {
            assert!(parse_size(bad).is_err(), "{bad:?} must be refused");
        }
        apply_demo_faults("jane-only=shop", &faults).unwrap();
        assert!(faults.is_denied("jane", "pods", None) && faults.is_denied("jane", "pods", Some("web")));
        assert!(!faults.is_denied("jane", "pods", Some("shop")) && !faults.is_denied("admin", "nodes", None));
        let err = apply_demo_faults("melt", &faults).unwrap_err().to_string();
        assert!(err.contains("unknown demo fault \"melt\""), "{err}");
        assert!(
            Cli::try_parse_from(["kubedeck", "--demo-faults", "stale-leader"]).is_err(),
            "needs --demo"
        );
        let cli = Cli::try_parse_from(["kubedeck", "--screen", "pods"]).unwrap();
        assert_eq!(cli.screen.as_deref(), Some("pods"));
    }

    #[test]
    fn theme_keymap_config_and_mouse_flags_parse() {
        let cli = Cli::try_parse_from([
            "kubedeck", "--theme", "mono", "--keymap", "vim", "--config", "/etc/kd", "--mouse",
        ])
        .unwrap();
        assert_eq!(cli.theme.as_deref(), Some("mono"));
        assert_eq!(cli.keymap.as_deref(), Some("vim"));
        assert_eq!(cli.config, Some(PathBuf::from("/etc/kd")));
        assert!(cli.mouse);
        let defaults = Cli::try_parse_from(["kubedeck"]).unwrap();
        assert!(!defaults.mouse, "mouse capture is off by default");
    }

    #[test]
    fn completions_name_the_flags_and_subcommands() {
        let cli = Cli::try_parse_from(["kubedeck", "completions", "bash"]).unwrap();
        let Some(Command::Completions { shell }) = cli.command else {
            panic!("no subcommand")
        };
        let mut out = Vec::new();
        completions(shell, &mut out);
        let script = String::from_utf8(out).unwrap();
        for word in ["--theme", "--keymap", "--readonly", "demo-server", "completions"] {
            assert!(script.contains(word), "{word} missing from the bash completions");
        }
        assert!(Cli::try_parse_from(["kubedeck", "completions", "tcsh"]).is_err());
    }

    #[test]
    fn version_and_help_are_clap_shaped() {
        let e = Cli::try_parse_from(["kubedeck", "--version"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayVersion);
        assert_eq!(e.to_string().trim(), format!("kubedeck {}", env!("CARGO_PKG_VERSION")));
        let help = Cli::try_parse_from(["kubedeck", "--help"]).unwrap_err().to_string();
        assert!(
            help.contains("Usage: kubedeck") && help.contains("--theme <NAME|PATH>"),
            "{help}"
        );
    }

    #[test]
    fn demo_server_subcommand_parses() {
        let cli =
            Cli::try_parse_from(["kubedeck", "demo-server", "--kubeconfig-out", "/tmp/k", "--pods", "500"]).unwrap();
        let Some(Command::DemoServer(args)) = cli.command else {
            panic!("no subcommand")
        };
        assert_eq!(args.kubeconfig_out, PathBuf::from("/tmp/k"));
        assert_eq!(crate::demo::options(&args).pods, 500);
        assert!(Cli::try_parse_from(["kubedeck", "demo-server"]).is_err());
    }
}
