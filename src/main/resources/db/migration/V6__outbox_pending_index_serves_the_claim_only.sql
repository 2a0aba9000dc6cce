-- event_outbox_pending (id alone) is the relay's claim's index: the oldest due rows first. Its
-- predicate was also implied by the writer's check for an earlier pending change of a task, which
-- the task's index (event_outbox_pending_by_task) answers in a few buffers. On the statistics of a
-- drained queue the planner chose this one for the check instead, a scan of every entry (dead
-- ones of the last fill included): 778 buffers and 2.5 ms of PostgreSQL per change (research.md
-- R16). With next_attempt_at IS NOT NULL in its predicate, only a statement that says something
-- of next_attempt_at can use it: the claim does (next_attempt_at <= statement_timestamp() is a
-- strict comparison, so it implies the column is not null), the check and the claim's own test
-- for an earlier pending row do not, so they are left with the task's index.
DROP INDEX event_outbox_pending;
CREATE INDEX event_outbox_pending ON event_outbox (id)
    WHERE delivered_at IS NULL AND parked_at IS NULL AND next_attempt_at IS NOT NULL;
