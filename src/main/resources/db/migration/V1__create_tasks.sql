-- Tasks owned by a user (the JWT "sub", an opaque string).
-- "version" starts at 1 and is incremented by every change in the same statement, so that an event
-- built from the row after a change can carry it as a CloudEvents "sequence".
CREATE TABLE tasks (
    id          uuid         PRIMARY KEY,
    user_id     varchar(255) NOT NULL,
    title       varchar(255) NOT NULL CHECK (char_length(btrim(title)) > 0),
    description varchar(4000),
    completed   boolean      NOT NULL DEFAULT false,
    due_date    timestamptz,
    version     bigint       NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at  timestamptz  NOT NULL,
    updated_at  timestamptz  NOT NULL
);

-- The list query: one user's tasks, newest first, keyset-paginated on (created_at, id),
-- optionally filtered by completion. The second index serves the filtered form.
CREATE INDEX tasks_user_newest_idx ON tasks (user_id, created_at DESC, id DESC);
CREATE INDEX tasks_user_completed_newest_idx ON tasks (user_id, completed, created_at DESC, id DESC);
