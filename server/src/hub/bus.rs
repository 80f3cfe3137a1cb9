//! Changes of room access, delivered to every process's hub.
//!
//! A server function that changes someone's access (kick, role change, leave, join, deletion)
//! calls [`AccessBus::access_changed`]. The change is applied to this process's hub at once and,
//! when Redis is configured, published on [`CHANNEL`]; every process subscribes
//! ([`subscribe`]) and applies what the others publish to its own hub, so a socket open on any
//! process follows within a round trip. A message lost to a Redis outage is caught up by each
//! room's periodic recheck (`RoomConfig::recheck_every`).

use super::Hub;
use app::ssr::notify::Notifier;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// The Redis pub/sub channel of access changes.
pub const CHANNEL: &str = "inkroom:access";

/// One change, as published.
#[derive(Debug, Serialize, Deserialize)]
struct Change {
    /// The publishing process (it applied the change itself already).
    origin: String,
    room_id: String,
    user_id: Option<String>,
}

/// The [`Notifier`] server functions call.
#[derive(Clone)]
pub struct AccessBus {
    hub: Arc<Hub>,
    redis: Option<redis::Client>,
    /// This process's id on the channel.
    origin: Arc<str>,
}

impl std::fmt::Debug for AccessBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessBus")
            .field("redis", &self.redis.is_some())
            .finish()
    }
}

impl AccessBus {
    /// A bus delivering to `hub`, and through `redis` to the other processes when given.
    pub fn new(hub: Arc<Hub>, redis: Option<redis::Client>) -> Self {
        Self {
            hub,
            redis,
            origin: uuid::Uuid::new_v4().to_string().into(),
        }
    }

    /// Applies the changes the other processes publish to this process's hub, until the hub
    /// shuts down; reconnects after a Redis failure.
    pub async fn subscribe(self) {
        let Some(client) = self.redis.clone() else {
            return;
        };
        let stop = self.hub.cancelled();
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                result = self.listen(&client) => {
                    if let Err(e) = result {
                        tracing::warn!(error = %e, "access changes: Redis subscription lost; retrying");
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    async fn listen(&self, client: &redis::Client) -> redis::RedisResult<()> {
        use futures_util::StreamExt;
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        let mut messages = pubsub.on_message();
        while let Some(msg) = messages.next().await {
            let Ok(payload) = msg.get_payload::<String>() else {
                continue;
            };
            match serde_json::from_str::<Change>(&payload) {
                Ok(c) if *c.origin != *self.origin => {
                    self.hub.access_changed(&c.room_id, c.user_id.as_deref());
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "access changes: unreadable message"),
            }
        }
        Ok(())
    }
}

impl Notifier for AccessBus {
    fn access_changed(&self, room_id: &str, user_id: Option<&str>) {
        self.hub.access_changed(room_id, user_id);
        let Some(client) = self.redis.clone() else {
            return;
        };
        let change = Change {
            origin: self.origin.to_string(),
            room_id: room_id.to_owned(),
            user_id: user_id.map(str::to_owned),
        };
        let Ok(payload) = serde_json::to_string(&change) else {
            return;
        };
        tokio::spawn(async move {
            let published = async {
                let mut conn = client.get_multiplexed_async_connection().await?;
                redis::cmd("PUBLISH")
                    .arg(CHANNEL)
                    .arg(payload)
                    .query_async::<i64>(&mut conn)
                    .await
            };
            match tokio::time::timeout(Duration::from_secs(2), published).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "access change not published"),
                Err(_) => tracing::warn!("access change not published: Redis timed out"),
            }
        });
    }
}
