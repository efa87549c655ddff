//! kubedeck's binary: flags, logging, then the dashboard (or the standalone demo cluster).

use std::process::ExitCode;

use clap::Parser;
use kubedeck::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Completions { shell }) = cli.command {
        kubedeck::cli::completions(shell, &mut std::io::stdout());
        return ExitCode::SUCCESS;
    }
    if cli.command.is_none() {
        kubedeck::memory::few_arenas();
    }
    kubedeck::logging::init(cli.log_file.as_deref());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kubedeck: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command.clone() {
        Some(Command::DemoServer(args)) => runtime.block_on(kubedeck::demo::serve(args)),
        Some(Command::Completions { .. }) => Ok(()),
        None => runtime.block_on(kubedeck::run::run(cli)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The terminal is restored by now (Tui dropped), so this lands on the normal screen.
            eprintln!("kubedeck: {e:#}");
            ExitCode::FAILURE
        }
    }
}
