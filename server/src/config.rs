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
    /// Manage the drawing-challenge catalogue.
    Challenges {
        /// What to do.
        #[command(subcommand)]
        command: crate::challenges::ChallengesCommand,
    },
    /// Manage site administrators.
    Admin {
        /// What to do.
        #[command(subcommand)]
        command: crate::challenges::AdminCommand,
    },
}

/// Where the database is, for the commands that only need storage.
#[derive(Clone, Debug, Args)]
pub struct DatabaseArgs {
    /// Database URL (`sqlite://…` or `postgres://…`); the embedded SQLite database in
    /// `--data-dir` when absent.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Directory of the embedded SQLite database.
    #[arg(long, env = "INKROOM_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
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

    /// Origins (as browsers send them, e.g. `https://board.example.com`) allowed to make
    /// state-changing requests and open WebSockets besides the host a request was sent to;
    /// comma-separated. Needed only when pages are served from another origin than the API.
    #[arg(long, env = "INKROOM_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Requests per minute one IP address may make to sign-in, sign-up, token and join-by-code
    /// endpoints (with the same number as burst).
    #[arg(long, env = "INKROOM_AUTH_RATE_PER_MINUTE", default_value_t = 30)]
    pub auth_rate_per_minute: u32,

    /// The most WebSocket connections served at once; further upgrades are refused with 503.
    /// An idle joined connection costs about 4 KiB (README, "Load testing").
    #[arg(long, env = "INKROOM_MAX_CONNECTIONS", default_value_t = 20_000)]
    pub max_connections: usize,

    /// Limits on what one user or connection may make the server do (`docs/limits.md`).
    #[command(flatten)]
    pub limits: LimitArgs,

    /// Log filter, e.g. `info` or `inkroom_server=debug,tower_http=info`.
    #[arg(long, env = "INKROOM_LOG", default_value = "info")]
    pub log: String,

    /// Log format.
    #[arg(long, env = "INKROOM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
    /// The time server functions see: the system clock, or a test's (challenge scheduling).
    #[arg(skip)]
    pub clock: app::ssr::clock::Clock,
}

/// Limits on the work one user or connection may cause, each with its clear error and nothing
/// lost (`docs/limits.md` lists them all).
#[derive(Clone, Copy, Debug, Args)]
pub struct LimitArgs {
    /// Scene changes one connection may send per second, on average. A faster sender is slowed
    /// down (its socket is read more slowly, and it is told `rate_limited` once), never refused,
    /// so nothing it drew is lost.
    #[arg(long, env = "INKROOM_OPS_PER_SECOND", default_value_t = 200)]
    pub ops_per_second: u32,
    /// Scene changes one connection may send at once before the rate applies (a paste of many
    /// shapes is one burst).
    #[arg(long, env = "INKROOM_OPS_BURST", default_value_t = 2000)]
    pub ops_burst: u32,
    /// Chat messages one connection may post per minute (10 at once); more get `rate_limited`.
    #[arg(long, env = "INKROOM_CHAT_PER_MINUTE", default_value_t = 30)]
    pub chat_per_minute: u32,
    /// Live elements a board may hold; creating more is refused with `limit_exceeded`.
    #[arg(long, env = "INKROOM_MAX_ELEMENTS", default_value_t = 100_000)]
    pub max_elements: usize,
    /// Megabytes a board's elements may take (estimated, tombstones included); past it, changes
    /// that add content are refused with `limit_exceeded`.
    #[arg(long, env = "INKROOM_MAX_ROOM_MB", default_value_t = 64)]
    pub max_room_mb: usize,
    /// Rooms one user may own.
    #[arg(long, env = "INKROOM_MAX_ROOMS_PER_USER", default_value_t = 200)]
    pub max_rooms_per_user: u32,
    /// Passwords hashed or verified at once (argon2id takes 19 MiB and tens of milliseconds
    /// each).
    #[arg(long, env = "INKROOM_PASSWORD_HASHERS", default_value_t = 2)]
    pub password_hashers: usize,
    /// Password checks allowed to wait for a hasher; more get 429 at once.
    #[arg(long, env = "INKROOM_PASSWORD_QUEUE", default_value_t = 64)]
    pub password_queue: usize,
    /// Ops of each board kept replayable behind its newest snapshot (for its history); older
    /// events and snapshots are deleted as new snapshots are written.
    #[arg(long, env = "INKROOM_HISTORY_OPS", default_value_t = 10_000)]
    pub history_ops: u64,
    /// Megabytes a JSON export may take (estimated before serialising).
    #[arg(long, env = "INKROOM_MAX_EXPORT_MB", default_value_t = 64)]
    pub max_export_mb: usize,
}

impl Default for LimitArgs {
    fn default() -> Self {
        Self {
            ops_per_second: 200,
            ops_burst: 2000,
            chat_per_minute: 30,
            max_elements: 100_000,
            max_room_mb: 64,
            max_rooms_per_user: 200,
            password_hashers: 2,
            password_queue: 64,
            history_ops: 10_000,
            max_export_mb: 64,
        }
    }
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
            allowed_origins: Vec::new(),
            auth_rate_per_minute: 1000,
            max_connections: 20_000,
            limits: LimitArgs::default(),
            site_root: PathBuf::from("target/site"),
            log: "warn".into(),
            log_format: LogFormat::Pretty,
            clock: app::ssr::clock::Clock::system(),
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
    fn the_limits_default_to_what_limit_args_default_says() {
        let cli = Cli::try_parse_from(["inkroom"]).unwrap();
        let (a, b) = (cli.serve.limits, LimitArgs::default());
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn a_bad_listen_address_is_a_usage_error() {
        assert!(Cli::try_parse_from(["inkroom", "--listen", "nowhere"]).is_err());
    }
}
