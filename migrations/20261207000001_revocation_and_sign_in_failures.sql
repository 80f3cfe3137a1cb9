-- Hardening. Portable SQL (SQLite and PostgreSQL).
--
-- Bearer tokens (API tokens, WebSocket tickets) issued before `tokens_valid_after` (Unix ms) are
-- refused: signing out sets it, so a leaked token dies with the session that made it.
ALTER TABLE users ADD COLUMN tokens_valid_after BIGINT NOT NULL DEFAULT 0;

-- Failed sign-ins per account *and* client address: five wrong passwords lock that account for
-- that address only, so nobody can lock someone else out from elsewhere; the per-address rate
-- limit bounds how many accounts one address may try. Replaces the per-account counter.
CREATE TABLE sign_in_failures (
    account          TEXT NOT NULL,
    client           TEXT NOT NULL,
    failures         BIGINT NOT NULL,
    first_failure_at BIGINT NOT NULL,
    locked_until     BIGINT NOT NULL,
    PRIMARY KEY (account, client)
);
CREATE INDEX sign_in_failures_first ON sign_in_failures (first_failure_at);

DROP TABLE login_failures;
