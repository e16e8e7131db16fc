-- INSERT OR REPLACE deletes the row it replaces without firing DELETE triggers
-- (recursive triggers are off), so the append-only record needs its own guard: an
-- event is never inserted over an existing one.
CREATE TRIGGER events_no_replace BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq)
BEGIN
    SELECT RAISE(ABORT, 'the event record is append-only: an event cannot be replaced');
END;
