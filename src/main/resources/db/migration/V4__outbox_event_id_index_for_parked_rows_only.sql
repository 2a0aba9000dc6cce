-- event_id keeps no unique index over every row: each id is a random UUID the writer makes once,
-- so the index only cost every written row an insert at a random place of a B-tree (and every
-- delivered one a dead entry for vacuum), and nothing read it but an operator's resubmission of
-- one parked event by its id (/actuator/outbox), which this partial index serves.
ALTER TABLE event_outbox DROP CONSTRAINT event_outbox_event_id_key;
CREATE INDEX event_outbox_parked_by_event_id ON event_outbox (event_id) WHERE parked_at IS NOT NULL;
