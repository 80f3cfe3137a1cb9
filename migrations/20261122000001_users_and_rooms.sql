-- Accounts and rooms. Portable SQL: runs unchanged on SQLite and PostgreSQL (see server/src/db).
-- Timestamps are Unix milliseconds; ids are UUID text; flags are BIGINT 0/1 (sqlx's Any driver
-- cannot decode SQLite booleans).

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE rooms (
    id            TEXT PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    owner_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_private    BIGINT NOT NULL DEFAULT 0 CHECK (is_private IN (0, 1)),
    code          TEXT UNIQUE,
    password_hash TEXT,
    created_at    BIGINT NOT NULL
);

CREATE INDEX rooms_owner_id ON rooms (owner_id);
