-- A relay claims a task by its oldest pending row for a lease, in one statement of its own, and
-- sends with no transaction open: no row lock is held while the sidecar answers. Another relay
-- skips the task while claimed_until is in the future; the claiming relay gives the claim back
-- when it records the outcomes, or its lease runs out (a relay that died).
ALTER TABLE event_outbox
    ADD COLUMN claimed_until timestamptz,
    ADD COLUMN claimed_by    uuid;
