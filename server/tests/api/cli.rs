//! The `inkroom` binary as an operator meets it: start-up errors and signals.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_inkroom");

fn run_expecting_failure(database_url: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--log", "error"])
        .env("DATABASE_URL", database_url)
        .env("INKROOM_DATA_DIR", dir.path())
        .env_remove("REDIS_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unreachable_database_exits_non_zero_with_one_clear_line() {
    let (code, stderr) = run_expecting_failure("postgres://inkroom:s3cret@127.0.0.1:1/nope");
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "one line expected: {stderr}"
    );
    assert!(
        stderr.starts_with("error: cannot open database postgres://inkroom:***@127.0.0.1:1/nope"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "password leaked: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_short_token_secret_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--log", "error"])
        .env("INKROOM_DATA_DIR", dir.path())
        .env("INKROOM_JWT_SECRET", "hunter2")
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("at least 32 bytes"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "secret leaked: {stderr}");
}

#[test]
fn an_unsupported_database_url_is_refused() {
    let (code, stderr) = run_expecting_failure("mysql://root@localhost/db");
    assert_eq!(code, 1);
    assert!(stderr.contains("unsupported DATABASE_URL"), "{stderr}");
}

#[test]
fn without_database_url_an_embedded_database_is_created_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested/data");
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--log", "error"])
        .env_remove("DATABASE_URL")
        .env("INKROOM_DATA_DIR", &data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !data.join("inkroom.db").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        data.join("inkroom.db").exists(),
        "no database file was created"
    );
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(BIN)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--log", "error"])
        .env_remove("DATABASE_URL")
        .env("INKROOM_DATA_DIR", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status after SIGTERM: {status}");
            break;
        }
        assert!(Instant::now() < deadline, "server ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}
