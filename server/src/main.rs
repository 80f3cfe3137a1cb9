//! The `inkroom` binary: parse the command line, then serve until stopped.

use clap::Parser;
use inkroom_server::ai::cli::AiCommand;
use inkroom_server::config::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let serve = match cli.command {
        Some(Command::Serve(args)) => args,
        None => cli.serve,
        Some(Command::Train(args)) => return report(inkroom_server::ai::cli::train(&args)),
        Some(Command::Ai {
            command: AiCommand::Recognize(args),
        }) => return report(inkroom_server::ai::cli::recognize(&args)),
        Some(Command::Ai {
            command: AiCommand::Baseline(args),
        }) => return report(inkroom_server::ai::cli::baseline(&args)),
    };
    inkroom_server::telemetry::init(&serve.log, serve.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let app = match inkroom_server::startup::Application::build(serve).await {
            Ok(app) => app,
            Err(e) => {
                // One clear line, no backtrace: these are configuration problems, not bugs.
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        match app
            .run_until_stopped(inkroom_server::startup::shutdown_signal())
            .await
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Exit status of a one-shot command: errors as one line with their causes.
fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
