-- Prevention (DESIGN §2): reminders before the due date, the credit limit and early
-- warnings. The run remembers what it raised so a sign makes one item the day it
-- appears, not one a day, and a reminder before the due date goes out once.

-- Open while the sign holds: over the credit limit, or an early warning.
CREATE TABLE account_flags (
    id          INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL CHECK (kind IN ('over_limit', 'early_warning')),
    raised_on   TEXT NOT NULL,
    detail      TEXT NOT NULL,
    cleared_on  TEXT,
    cleared_why TEXT
) STRICT;
CREATE UNIQUE INDEX account_flags_one_open ON account_flags (customer_id, kind) WHERE cleared_on IS NULL;
CREATE INDEX account_flags_customer ON account_flags (customer_id, raised_on);
CREATE INDEX account_flags_day ON account_flags (raised_on, customer_id);

-- Courtesy reminders before the due date: one row per invoice reminded, so each
-- step reminds of an invoice once.
CREATE TABLE pre_due_reminders (
    id              INTEGER PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    invoice_no      TEXT NOT NULL REFERENCES invoices (invoice_no),
    strategy_id     TEXT NOT NULL,
    step_id         TEXT NOT NULL,
    days_before_due INTEGER NOT NULL CHECK (days_before_due > 0),
    done_on         TEXT NOT NULL,
    outbox_id       INTEGER REFERENCES outbox (id)
) STRICT;
CREATE INDEX pre_due_reminders_customer ON pre_due_reminders (customer_id, invoice_no, days_before_due);
CREATE INDEX pre_due_reminders_day ON pre_due_reminders (done_on);

-- A hold set (or kept) because the account went over its credit limit: released by
-- the run when the balance is back under it.
ALTER TABLE holds ADD COLUMN over_limit INTEGER NOT NULL DEFAULT 0 CHECK (over_limit IN (0, 1));
