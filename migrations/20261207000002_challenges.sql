-- Drawing challenges. Portable SQL (SQLite and PostgreSQL); flags and times are BIGINT, images
-- BYTEA-compatible blobs (declared BYTEA: SQLite gives that name BLOB affinity).

-- Site administrators manage the challenge catalogue (`inkroom admin grant EMAIL`).
ALTER TABLE users ADD COLUMN is_admin BIGINT NOT NULL DEFAULT 0;

CREATE TABLE challenge_categories (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    color       TEXT NOT NULL,
    icon        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- A challenge runs for one UTC period of its kind, [starts_at, ends_at). At most one active
-- challenge of a kind per period: that is what "the current daily challenge" means.
CREATE TABLE challenges (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    prompt      TEXT NOT NULL,
    category_id TEXT NOT NULL REFERENCES challenge_categories (id),
    difficulty  TEXT NOT NULL CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    kind        TEXT NOT NULL CHECK (kind IN ('daily', 'weekly', 'monthly')),
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    is_active   BIGINT NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    image_url   TEXT,
    -- Space-separated lowercase tags (portable: no arrays in SQLite).
    tags        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX challenges_one_per_period ON challenges (kind, starts_at) WHERE is_active = 1;
CREATE INDEX challenges_by_time ON challenges (starts_at);

-- A challenge's board: a private room of the user's, linked to the challenge it was opened for.
ALTER TABLE rooms ADD COLUMN challenge_id TEXT REFERENCES challenges (id);

-- One submission per user per challenge. `revision` grows with each replacement, so image URLs
-- that carry it can be cached forever. `hot` is `log10(likes + 1) + age / 45,000 s`
-- (inkroom_core::challenge::hot_score), rewritten with every like.
CREATE TABLE challenge_submissions (
    id           TEXT PRIMARY KEY,
    challenge_id TEXT NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_id      TEXT REFERENCES rooms (id) ON DELETE SET NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    is_public    BIGINT NOT NULL CHECK (is_public IN (0, 1)),
    scene        TEXT NOT NULL,
    element_count BIGINT NOT NULL,
    image        BYTEA NOT NULL,
    thumbnail    BYTEA NOT NULL,
    width        BIGINT NOT NULL,
    height       BIGINT NOT NULL,
    revision     BIGINT NOT NULL,
    like_count   BIGINT NOT NULL DEFAULT 0,
    hot          DOUBLE PRECISION NOT NULL,
    submitted_at BIGINT NOT NULL,
    UNIQUE (challenge_id, user_id)
);
-- The gallery's three orders, each a keyset walk over one index.
CREATE INDEX submissions_newest ON challenge_submissions (challenge_id, is_public, submitted_at, id);
CREATE INDEX submissions_top ON challenge_submissions (challenge_id, is_public, like_count, id);
CREATE INDEX submissions_hot ON challenge_submissions (challenge_id, is_public, hot, id);
CREATE INDEX submissions_user ON challenge_submissions (user_id, submitted_at);

-- Everyone a submission credits: its author and every member who drew on its board.
CREATE TABLE submission_credits (
    submission_id TEXT NOT NULL REFERENCES challenge_submissions (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (submission_id, user_id)
);
CREATE INDEX submission_credits_user ON submission_credits (user_id);

CREATE TABLE submission_likes (
    submission_id TEXT NOT NULL REFERENCES challenge_submissions (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (submission_id, user_id)
);

-- Remixes credit the submission they were copied from.
ALTER TABLE rooms ADD COLUMN remixed_from TEXT REFERENCES challenge_submissions (id) ON DELETE SET NULL;
