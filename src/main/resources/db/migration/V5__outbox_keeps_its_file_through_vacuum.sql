-- event_outbox is a queue: it fills, drains, and fills again. A VACUUM after a drain would
-- truncate its file to nothing (and take an ACCESS EXCLUSIVE lock on it to do so), and the
-- planner, sizing the table by that file, then planned the relay's DELETE by id and the writer's
-- check for an earlier pending change of the task as sequential scans, which go on reading every
-- dead row of the next fill until the next VACUUM: the outbox fell to a third of its rate
-- (research.md R16). Kept at its largest size, the file makes a sequential scan cost what it
-- costs, and the statements stay on their indexes; its free space is reused by the next fill.
ALTER TABLE event_outbox SET (vacuum_truncate = false);
