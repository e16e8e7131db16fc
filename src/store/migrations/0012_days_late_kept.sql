-- Each customer's days late (of its latest settled invoices), kept from one close to
-- the next so that a daily run reads the few customers whose money moved instead of
-- every settled invoice of the shop. Derived data, not part of the record: it is not
-- copied, checked or hashed, and a missing or doubtful entry is computed again.
--
-- `days_late_kept`: the list for a customer as of `as_of` (comma-separated days,
-- oldest first); it holds for any later day while the customer is not in
-- `days_late_dirty`. `days_late_dirty`: customers whose invoices or money changed since
-- their list was kept (the triggers below mark them). `days_late_filled`: one row, the
-- latest day the lists were brought up to date; without it nothing kept is trusted.
CREATE TABLE days_late_kept (
    customer_id TEXT PRIMARY KEY,
    as_of       TEXT NOT NULL,
    days        TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE days_late_dirty (
    customer_id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
CREATE TABLE days_late_filled (
    as_of TEXT NOT NULL
) STRICT;

CREATE TRIGGER days_late_allocation_added AFTER INSERT ON allocations BEGIN
    INSERT OR IGNORE INTO days_late_dirty (customer_id) VALUES (NEW.customer_id);
END;
CREATE TRIGGER days_late_allocation_removed AFTER DELETE ON allocations BEGIN
    INSERT OR IGNORE INTO days_late_dirty (customer_id) VALUES (OLD.customer_id);
END;
CREATE TRIGGER days_late_allocation_changed AFTER UPDATE ON allocations BEGIN
    INSERT OR IGNORE INTO days_late_dirty (customer_id) VALUES (OLD.customer_id);
    INSERT OR IGNORE INTO days_late_dirty (customer_id) VALUES (NEW.customer_id);
END;
CREATE TRIGGER days_late_invoice_added AFTER INSERT ON invoices
WHEN NEW.balance <= 0 OR NEW.last_allocated_on IS NOT NULL BEGIN
    INSERT OR IGNORE INTO days_late_dirty (customer_id) VALUES (NEW.customer_id);
END;
CREATE TRIGGER days_late_invoice_changed
AFTER UPDATE OF customer_id, issue_date, due_date, amount, balance, last_allocated_on ON invoices BEGIN
    INSERT OR IGNORE INTO days_late_dirty (customer_id) VALUES (OLD.customer_id);
    INSERT OR IGNORE INTO days_late_dirty (customer_id) VALUES (NEW.customer_id);
END;
CREATE TRIGGER days_late_invoice_removed AFTER DELETE ON invoices BEGIN
    INSERT OR IGNORE INTO days_late_dirty (customer_id) VALUES (OLD.customer_id);
END;
