-- Outbox delivery (pakaura.events.delivery=outbox): a mutation's events are written here in the
-- task's own transaction, and the relay sends them through the dapr binder, each task's in id
-- order, one owner per task at a time (FOR UPDATE SKIP LOCKED on the task's oldest pending row).
CREATE TABLE event_outbox (
    id              bigserial    PRIMARY KEY,   -- commit order within a task
    event_id        uuid         NOT NULL UNIQUE, -- the CloudEvent id, the same on every attempt
    task_id         uuid         NOT NULL,      -- the partition key: one line per task
    sequence        bigint       NOT NULL,
    event_type      varchar(64)  NOT NULL,
    binding         varchar(64)  NOT NULL,
    payload         bytea        NOT NULL,      -- the structured CloudEvent, as published
    correlation_id  varchar(64),
    traceparent     varchar(55),
    tracestate      varchar(512),
    created_at      timestamptz  NOT NULL DEFAULT statement_timestamp(),
    attempts        integer      NOT NULL DEFAULT 0,
    next_attempt_at timestamptz  NOT NULL DEFAULT statement_timestamp(),
    last_error      text,
    delivered_at    timestamptz,
    parked_at       timestamptz
);

-- The relay's scan: pending rows oldest first...
CREATE INDEX event_outbox_pending ON event_outbox (id) WHERE delivered_at IS NULL AND parked_at IS NULL;
-- ...each checked for an earlier pending row of its task, and a task's line read in order.
CREATE INDEX event_outbox_pending_by_task ON event_outbox (task_id, id) WHERE delivered_at IS NULL AND parked_at IS NULL;
-- The purge of delivered rows.
CREATE INDEX event_outbox_delivered ON event_outbox (delivered_at) WHERE delivered_at IS NOT NULL;
