//! What Inkroom's operator tools share: a signed-in HTTP session for a user, and a room socket
//! opened with a WebSocket ticket. They are clients of a running server, as browsers are.

use serde_json::{Value, json};

/// A WebSocket to the server.
pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A cookie session for `name` (email `<name>@<domain>`), signing up, or signing in when the
/// account exists already.
pub async fn user(base: &str, name: &str, domain: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let email = format!("{name}@{domain}");
    let password = "tool-user-password";
    let res = client
        .post(format!("{base}/api/auth/sign-up"))
        .json(&json!({ "email": email, "display_name": name, "password": password }))
        .send()
        .await?;
    if res.status() == 409 {
        client
            .post(format!("{base}/api/auth/sign-in"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await?;
    } else {
        anyhow::ensure!(res.status().is_success(), "sign-up: {}", res.status());
    }
    Ok(client)
}

/// Opens a room socket as the user signed in on `http` (through a ticket), with `TCP_NODELAY`
/// as browsers set it: otherwise Nagle's algorithm delays a client's small frames and distorts
/// what it measures.
pub async fn socket(base: &str, http: &reqwest::Client) -> anyhow::Result<Ws> {
    let t: Value = http
        .post(format!("{base}/api/auth/ws-ticket"))
        .json(&json!({}))
        .send()
        .await?
        .json()
        .await?;
    let token = t["token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no ticket: {t}"))?;
    let url = format!("{}/ws?ticket={token}", base.replacen("http", "ws", 1));
    // A big board's `room_state` is one message larger than tungstenite's 16 MiB default (30,000
    // shapes are 16 MB of JSON); a browser takes it, so must the tools.
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(256 << 20))
        .max_frame_size(Some(256 << 20));
    let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true).await?;
    Ok(ws)
}
