-- Hardening. Portable SQL (SQLite and PostgreSQL).
--
-- Bearer tokens (API tokens, WebSocket tickets) carry the user's `token_epoch` when issued and
-- are refused once it has moved on: signing out increments it, so a leaked token dies with the
-- session that made it. (A counter, not a time: a token issued in the same millisecond as the
-- sign-out is still ordered exactly.)
ALTER TABLE users ADD COLUMN token_epoch BIGINT NOT NULL DEFAULT 0;

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
