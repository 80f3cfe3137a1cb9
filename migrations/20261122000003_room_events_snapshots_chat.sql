-- Real-time collaboration storage. Portable SQL (SQLite and PostgreSQL).
--
-- room_events is the append-only log of accepted scene ops (the design's DrawingEvents): one row
-- per op, numbered per room without gaps. A client's op is acknowledged only after its row is
-- committed. room_snapshots bound the replay: joining loads the newest snapshot and the events
-- after it.

CREATE TABLE room_events (
    room_id   TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq       BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    client_op BIGINT NOT NULL,
    user_id   TEXT NOT NULL,
    op        TEXT NOT NULL,
    at_ms     BIGINT NOT NULL,
    PRIMARY KEY (room_id, seq)
);

-- The scene (and the per-client op numbers applied, for exactly-once after a restart) at `seq`.
CREATE TABLE room_snapshots (
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    state      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, seq)
);

-- Ids are assigned per room by the room's single writer, so no engine-specific sequences.
CREATE TABLE chat_messages (
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    id         BIGINT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, id)
);
