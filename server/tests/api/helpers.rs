//! `spawn_app()` and friends: a fresh database and a real server per test.

use inkroom_server::config::ServeArgs;
use inkroom_server::db::Db;
use inkroom_server::startup::Application;
use sqlx::Connection;
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::oneshot;

/// The storage engine a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed `async fn name(backend: Backend)` as two tests: `sqlite::name` and
/// `postgres::name`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $name() { super::$name($crate::helpers::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $name() { super::$name($crate::helpers::Backend::Postgres).await } )*
        }
    };
}

static TRACING: Once = Once::new();

fn init_tracing() {
    TRACING.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            inkroom_server::telemetry::init("debug", Default::default());
        }
    });
}

/// The PostgreSQL URL tests may create databases through.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").expect(
        "TEST_DATABASE_URL is not set: PostgreSQL tests need a server (scripts/test provides one)",
    )
}

/// The Redis URL for tests that need Redis.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL")
        .expect("TEST_REDIS_URL is not set: Redis tests need a server (scripts/test provides one)")
}

/// `url` with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

static DB_COUNTER: AtomicUsize = AtomicUsize::new(0);
static STALE_DROPPED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// Drops test databases left behind by test processes that no longer run (e.g. after a crash).
async fn drop_stale_databases(admin: &mut sqlx::PgConnection) {
    let names: Vec<(String,)> =
        sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'inkroom_test_%'")
            .fetch_all(&mut *admin)
            .await
            .expect("listing test databases");
    for (name,) in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut *admin)
                .await;
        }
    }
}

/// A database that exists for one test.
pub enum TestDb {
    Sqlite {
        url: String,
        _dir: tempfile::TempDir,
    },
    Postgres {
        url: String,
        admin: String,
        name: String,
    },
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                TestDb::Sqlite { url, _dir: dir }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("cannot reach PostgreSQL for tests: {e}"));
                let admin_conn = &mut conn;
                STALE_DROPPED
                    .get_or_init(move || drop_stale_databases(admin_conn))
                    .await;
                let name = format!(
                    "inkroom_test_{}_{}",
                    std::process::id(),
                    DB_COUNTER.fetch_add(1, Ordering::Relaxed)
                );
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut conn)
                    .await
                    .expect("creating a test database");
                TestDb::Postgres {
                    url: with_database(&admin, &name),
                    admin,
                    name,
                }
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin, name, .. } = self {
            let (admin, name) = (admin.clone(), name.clone());
            // Drop is synchronous; a short-lived runtime on its own thread does the async work.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut conn)
                        .await
                        .ok()
                })
            })
            .join();
        }
    }
}

/// A running server and what tests need to talk to it.
pub struct TestApp {
    pub address: String,
    /// The database URL, for starting a second server on the same database.
    pub db_url: String,
    pub client: reqwest::Client,
    /// A pool onto the same database, for arranging and asserting.
    pub db: Db,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    // Dropped last: the database must outlive the server.
    test_db: TestDb,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    /// The PostgreSQL database's name, for tests that tamper with it.
    pub fn database_name(&self) -> Option<&str> {
        match &self.test_db {
            TestDb::Postgres { name, .. } => Some(name),
            TestDb::Sqlite { .. } => None,
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            h.await
                .expect("server task panicked")
                .expect("server failed");
        }
    }
}

/// A browser-like client with its own cookie jar.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("http client")
}

/// A signed-up user with their own cookie session.
pub struct TestUser {
    pub client: reqwest::Client,
    pub id: String,
    pub email: String,
    pub password: String,
}

static USER_COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestApp {
    /// POSTs JSON to a server function with `client`; returns the status and JSON body
    /// (`null` for an empty body).
    pub async fn call(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let res = client
            .post(self.url(path))
            .header("accept", "application/json")
            .json(&body)
            .send()
            .await
            .expect("request failed");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        (status, json)
    }

    /// Signs up a fresh user (unique email from `name`) on a new client.
    pub async fn sign_up(&self, name: &str) -> TestUser {
        let n = USER_COUNTER.fetch_add(1, Ordering::Relaxed);
        let email = format!("{}-{n}@example.com", name.to_lowercase());
        let password = format!("password-of-{name}");
        let client = new_client();
        let (status, body) = self
            .call(
                &client,
                "/api/auth/sign-up",
                serde_json::json!({ "email": email, "display_name": name, "password": password }),
            )
            .await;
        assert_eq!(status, 200, "sign-up failed: {body}");
        TestUser {
            client,
            id: body["id"].as_str().expect("user id").to_owned(),
            email,
            password,
        }
    }

    /// Creates a room as `owner`; returns its details.
    pub async fn create_room(
        &self,
        owner: &TestUser,
        name: &str,
        is_private: bool,
        password: Option<&str>,
    ) -> serde_json::Value {
        let (status, body) = self
            .call(
                &owner.client,
                "/api/rooms/create",
                serde_json::json!({ "name": name, "is_private": is_private, "password": password }),
            )
            .await;
        assert_eq!(status, 200, "create room failed: {body}");
        body
    }
}

/// Starts a second server on the same database as `app` (another "instance").
pub async fn spawn_app_sharing(app: &TestApp) -> (String, oneshot::Sender<()>) {
    spawn_app_sharing_with(app, |_| {}).await
}

/// Like [`spawn_app_sharing`], letting the test adjust the configuration first.
pub async fn spawn_app_sharing_with(
    app: &TestApp,
    configure: impl FnOnce(&mut ServeArgs),
) -> (String, oneshot::Sender<()>) {
    let mut args = ServeArgs::for_tests(app.db_url.clone());
    configure(&mut args);
    let second = Application::build(args)
        .await
        .expect("second server failed to start");
    let address = format!("http://127.0.0.1:{}", second.port());
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(second.run_until_stopped(async {
        let _ = rx.await;
    }));
    (address, tx)
}

/// Starts the server on port 0 against a fresh database of `backend`.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], letting the test adjust the configuration first.
pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut ServeArgs)) -> TestApp {
    init_tracing();
    let test_db = TestDb::new(backend).await;
    let mut args = ServeArgs::for_tests(test_db.url().to_owned());
    args.site_root = PathBuf::from("/nonexistent-site");
    configure(&mut args);
    let app = Application::build(args)
        .await
        .expect("server failed to start");
    let port = app.port();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async {
        let _ = rx.await;
    }));
    let db = Db::connect(test_db.url()).await.expect("test pool");
    let client = new_client();
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        db_url: test_db.url().to_owned(),
        client,
        db,
        shutdown: Some(tx),
        server: Some(server),
        test_db,
    }
}

/// A real `inkroom` process on a free port; killed on drop.
pub struct ServerProcess {
    child: std::process::Child,
    pub base: String,
}

impl ServerProcess {
    pub async fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[]).await
    }

    /// The process's resident memory, in MiB.
    pub fn rss_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    }

    /// Starts the binary with `extra` arguments besides the address and the log level.
    pub async fn start_with(database_url: &str, extra: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_inkroom"))
            .args(["--listen", &format!("127.0.0.1:{port}"), "--log", "error"])
            .args(extra)
            .env("DATABASE_URL", database_url)
            .env_remove("REDIS_URL")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Owned by the guard at once, so the process is reaped on every path, panics included.
        let process = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client
                .get(format!("{}/readyz", process.base))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return process;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("inkroom did not become ready on {}", process.base);
    }
}

impl ServerProcess {
    /// Sends SIGTERM and waits (up to 20 s) for a clean exit.
    pub fn terminate(&mut self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit status after SIGTERM: {status}");
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "server ignored SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn database_names_are_swapped_in_urls() {
    assert_eq!(
        with_database("postgres://u@h:5/postgres", "x"),
        "postgres://u@h:5/x"
    );
    assert_eq!(
        with_database("postgres://u@h:5/postgres?sslmode=disable", "x"),
        "postgres://u@h:5/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
}
