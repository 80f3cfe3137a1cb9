//! Signed bearer tokens (JWT, HS256) for non-browser clients and WebSocket upgrades.
//!
//! Browsers use the cookie session; scripts, the load generator and the WebSocket handshake can
//! present `Authorization: Bearer <token>` instead. Each token names its audience, so a
//! short-lived WebSocket ticket cannot be replayed as an API token and vice versa.
//!
//! The signing secret comes from `INKROOM_JWT_SECRET` when configured; otherwise one is generated
//! on first start and stored in the database, so every process sharing the database agrees on it
//! and tokens survive restarts.

use super::db::{Db, DbError, now_ms};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What a token may be used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Calling server functions (`/api/...`).
    Api,
    /// Opening a WebSocket (short-lived).
    WebSocket,
}

impl Audience {
    fn as_str(self) -> &'static str {
        match self {
            Self::Api => "inkroom-api",
            Self::WebSocket => "inkroom-ws",
        }
    }
}

/// Claims carried by a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    /// Audience (see [`Audience`]).
    pub aud: String,
    /// Issued at, seconds since the epoch.
    pub iat: u64,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// The user's token epoch when it was issued: valid only while the user's is the same
    /// (signing out moves it on). Tokens from before epochs existed carry 0.
    #[serde(default)]
    pub epoch: i64,
}

/// Signing and verification keys.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    client_ids: ClientIds,
}

/// Turns the id a client chose for itself into the id the server files its ops under: a keyed
/// hash of the user and that id. Acknowledgements and de-duplication go by this id, so a client
/// that names another user's client id gets an unrelated one and can neither silence nor
/// confirm someone else's ops; the same tab (same user, same chosen id) gets the same id across
/// reconnects and restarts, which exactly-once delivery needs.
#[derive(Clone)]
pub struct ClientIds {
    key: [u8; 32],
}

impl std::fmt::Debug for ClientIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientIds(..)")
    }
}

impl ClientIds {
    /// Ids derived with a key of its own, computed from `secret`.
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            key: hmac_sha256(secret, &[b"inkroom client ids v1"]),
        }
    }

    /// The server's id for the ops of `user_id`'s client `claimed`: a positive integer below
    /// 2^53 (ids travel as JSON numbers).
    pub fn derive(&self, user_id: &str, claimed: u64) -> u64 {
        let mac = hmac_sha256(
            &self.key,
            &[user_id.as_bytes(), &[0], &claimed.to_le_bytes()],
        );
        let mut first = [0u8; 8];
        first.copy_from_slice(&mac[..8]);
        // Zero is the server's own id (its repairs).
        (u64::from_le_bytes(first) & ((1 << 53) - 1)).max(1)
    }
}

/// HMAC-SHA-256 of the concatenated `parts` under `key`.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    // HMAC takes keys of any length.
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str("TokenKeys(..)")
    }
}

/// The secret's row name in `server_secrets`.
const JWT_SECRET_NAME: &str = "jwt_hs256";

impl TokenKeys {
    /// Keys from a shared secret.
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            client_ids: ClientIds::from_secret(secret),
        }
    }

    /// The derivation of clients' op ids (keyed from the same secret).
    pub fn client_ids(&self) -> ClientIds {
        self.client_ids.clone()
    }

    /// The configured secret, or the one stored in the database (created on first use).
    pub async fn load_or_create(db: &Db, configured: Option<&str>) -> Result<Self, DbError> {
        if let Some(secret) = configured.filter(|s| !s.is_empty()) {
            return Ok(Self::from_secret(secret.as_bytes()));
        }
        let candidate = random_hex(32);
        // Insert-if-absent, then read: concurrent first starts all end up with the same secret.
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(JWT_SECRET_NAME)
        .bind(&candidate)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
        let (secret,): (String,) =
            sqlx::query_as("SELECT value FROM server_secrets WHERE name = $1")
                .bind(JWT_SECRET_NAME)
                .fetch_one(db.pool())
                .await?;
        Ok(Self::from_secret(secret.as_bytes()))
    }

    /// A token for `user_id` at token epoch `epoch`, valid for `ttl`. Returns the token and its
    /// expiry (Unix ms).
    pub fn issue(
        &self,
        user_id: &str,
        epoch: i64,
        audience: Audience,
        ttl: Duration,
    ) -> (String, i64) {
        let now = (now_ms() / 1000) as u64;
        let exp = now + ttl.as_secs();
        let claims = Claims {
            sub: user_id.to_owned(),
            aud: audience.as_str().to_owned(),
            iat: now,
            exp,
            epoch,
        };
        // Encoding HS256 with a valid key cannot fail for these plain claims.
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_default();
        (token, exp as i64 * 1000)
    }

    /// The claims of a valid, unexpired token for `audience`; `None` otherwise.
    pub fn verify(&self, token: &str, audience: Audience) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[audience.as_str()]);
        validation.leeway = 5;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|d| d.claims)
    }
}

/// `bytes` random bytes from the OS, hex-encoded.
pub fn random_hex(bytes: usize) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_for_its_audience_and_key() {
        let keys = TokenKeys::from_secret(b"test secret");
        let (token, exp) = keys.issue("user-1", 0, Audience::Api, Duration::from_secs(60));
        assert!(exp > now_ms());
        assert_eq!(keys.verify(&token, Audience::Api).unwrap().sub, "user-1");
        assert!(keys.verify(&token, Audience::WebSocket).is_none());
        assert!(
            TokenKeys::from_secret(b"other")
                .verify(&token, Audience::Api)
                .is_none()
        );
        assert!(keys.verify("garbage", Audience::Api).is_none());
    }

    #[test]
    fn client_ids_depend_on_the_user_and_the_key_and_stay_below_2_53() {
        let ids = ClientIds::from_secret(b"k");
        let a = ids.derive("ann", 7);
        assert_eq!(a, ids.derive("ann", 7), "stable across reconnects");
        assert_ne!(
            a,
            ids.derive("bob", 7),
            "another user naming the same id gets another"
        );
        assert_ne!(a, ids.derive("ann", 8));
        assert_ne!(a, ClientIds::from_secret(b"other").derive("ann", 7));
        for n in 0..1000 {
            let id = ids.derive("u", n);
            assert!((1..1 << 53).contains(&id));
        }
    }

    #[test]
    fn expired_tokens_are_refused() {
        let keys = TokenKeys::from_secret(b"k");
        let past = Claims {
            sub: "u".into(),
            aud: Audience::Api.as_str().into(),
            iat: 1,
            exp: 2,
            epoch: 0,
        };
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &past, &keys.encoding).unwrap();
        assert!(keys.verify(&token, Audience::Api).is_none());
    }
}
