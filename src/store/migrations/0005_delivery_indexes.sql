-- Delivery re-checks a batch of messages with set queries: "has a later step of the
-- same cycle a message that was not cancelled?" is a seek here instead of a walk over
-- the whole outbox for every message (covering: the status is in the index).
CREATE INDEX outbox_cycle ON outbox (cycle_id, step_index, status);
