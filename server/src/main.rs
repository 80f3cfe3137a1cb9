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
        Some(Command::Challenges { command }) => {
            return storage_command(inkroom_server::challenges::challenges(command));
        }
        Some(Command::Admin { command }) => {
            return storage_command(inkroom_server::challenges::admin(command));
        }
    };
    limit_malloc_arenas();
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

/// Caps glibc's malloc arenas at one per core (at least two). glibc gives threads that allocate
/// under contention arenas of their own, up to eight per core; a connection's memory is allocated
/// by whichever worker ran its handshake and freed by another, and with many arenas free space
/// piles up where the next allocation is not looking. With 10,000 idle connections
/// (`inkroom-load --idle`) on two cores, two arenas hold 4.0 KiB per connection against 4.4 KiB
/// with glibc's default (jemalloc, tried instead, held 4.2), at the same CPU per delivered
/// update under load. An operator's `MALLOC_ARENA_MAX` still wins.
///
/// It also fixes the threshold above which allocations get pages of their own at 4 MiB. glibc
/// raises that threshold to the size of each large block freed, so after the first password hash
/// argon2's 19 MiB blocks came from the arenas' heaps, which fragment and are not returned:
/// 66 hashes in a burst left 340 MiB resident. Mapped and unmapped per hash, a burst costs only
/// the hashes running at once. (`MALLOC_MMAP_THRESHOLD_` still wins.)
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY (both calls): `mallopt` only sets a tuning parameter of glibc's allocator, and
    // this runs before the runtime starts any thread.
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let arenas = libc::c_int::try_from(cores.max(2)).unwrap_or(libc::c_int::MAX);
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
        }
    }
}

/// Other allocators manage their own arenas.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

/// Exit status of a one-shot command: errors as one line with their causes. A reader that closed
/// the pipe early (`| head`) got what it wanted: that ends quietly, as in other Unix tools.
/// Runs a command that only needs storage on a small runtime; prints its message, or one line
/// of error.
fn storage_command(command: impl Future<Output = Result<String, String>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(command) {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
