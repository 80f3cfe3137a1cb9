//! Command-line and environment configuration.
//!
//! Every option can be given as a flag or through the environment (flags win), so the same binary
//! is configured by hand, by `scripts/run` and by a process manager alike.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// `inkroom`: a real-time collaborative whiteboard server.
#[derive(Debug, Parser)]
#[command(
    name = "inkroom",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do; serving is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options for serving when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (the default).
    Serve(ServeArgs),
    /// Train a recognition model from pen-stroke data (writes weights and a report).
    Train(crate::ai::cli::TrainArgs),
    /// Run the recognition models from the command line.
    Ai {
        /// What to run.
        #[command(subcommand)]
        command: crate::ai::cli::AiCommand,
    },
}

/// Log output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Options of `inkroom serve`.
#[derive(Clone, Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Port 0 picks a free port.
    #[arg(long, env = "INKROOM_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Directory of the recognition models (`shapes.safetensors`, …); missing models only turn
    /// their API off.
    #[arg(long, env = "INKROOM_MODELS", default_value_os_t = crate::ai::default_models_dir())]
    pub models_dir: PathBuf,

    /// Database URL: `sqlite://…` or `postgres://…`. Default: a SQLite file in the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Where the embedded database lives when no DATABASE_URL is given. Created if missing.
    #[arg(long, env = "INKROOM_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Redis URL for fan-out between several server processes. Optional.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// The built front end (`scripts/build-site` output): wasm, JS, CSS and public files.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Secret for signing bearer tokens. Default: one generated on first start and kept in the
    /// database, so all processes sharing the database agree.
    #[arg(long, env = "INKROOM_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Mark cookies `Secure` (HTTPS only). Turn on in production behind TLS.
    #[arg(long, env = "INKROOM_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Requests per minute one IP address may make to sign-in, sign-up, token and join-by-code
    /// endpoints (with the same number as burst).
    #[arg(long, env = "INKROOM_AUTH_RATE_PER_MINUTE", default_value_t = 30)]
    pub auth_rate_per_minute: u32,

    /// The most WebSocket connections served at once; further upgrades are refused with 503.
    /// An idle joined connection costs about 4 KiB (README, "Load testing").
    #[arg(long, env = "INKROOM_MAX_CONNECTIONS", default_value_t = 20_000)]
    pub max_connections: usize,

    /// Log filter, e.g. `info` or `inkroom_server=debug,tower_http=info`.
    #[arg(long, env = "INKROOM_LOG", default_value = "info")]
    pub log: String,

    /// Log format.
    #[arg(long, env = "INKROOM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
}

impl ServeArgs {
    /// Defaults suitable for tests: port 0, the given database, no Redis, quiet logs.
    pub fn for_tests(database_url: String) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            models_dir: crate::ai::default_models_dir(),
            database_url: Some(database_url),
            data_dir: PathBuf::from("data"),
            redis_url: None,
            jwt_secret: None,
            secure_cookies: false,
            auth_rate_per_minute: 1000,
            max_connections: 20_000,
            site_root: PathBuf::from("target/site"),
            log: "warn".into(),
            log_format: LogFormat::Pretty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_subcommand_means_serve_with_defaults() {
        let cli = Cli::try_parse_from(["inkroom"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.listen.port(), 3000);
    }

    #[test]
    fn serve_subcommand_takes_the_same_flags() {
        let cli = Cli::try_parse_from(["inkroom", "serve", "--listen", "0.0.0.0:8080"]).unwrap();
        let Some(Command::Serve(args)) = cli.command else {
            panic!("expected serve")
        };
        assert_eq!(args.listen.port(), 8080);
    }

    #[test]
    fn a_bad_listen_address_is_a_usage_error() {
        assert!(Cli::try_parse_from(["inkroom", "--listen", "nowhere"]).is_err());
    }
}
