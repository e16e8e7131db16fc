-- The collection lifecycle after the phone call: promises that are replaced or
-- cancelled, plans that are cancelled, write-offs with an approval, and placements
-- with collection agencies. SQLite cannot change a CHECK constraint in place, so the
-- promise and plan tables are rebuilt with the wider vocabulary (rows kept as they are).

CREATE TABLE promises_new (
    id           INTEGER PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    date         TEXT NOT NULL,
    taken_on     TEXT NOT NULL,
    taken_by     TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    grace_days   INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'kept', 'partially_kept', 'broken', 'replaced', 'cancelled')),
    -- the day the promise stopped being open: judged, replaced or cancelled
    evaluated_on TEXT,
    paid         INTEGER,
    -- who replaced or cancelled it, and why
    closed_by    TEXT,
    close_note   TEXT
) STRICT;
INSERT INTO promises_new (id, customer_id, amount, date, taken_on, taken_by, note, grace_days, status, evaluated_on, paid)
    SELECT id, customer_id, amount, date, taken_on, taken_by, note, grace_days, status, evaluated_on, paid FROM promises;
DROP TABLE promises;
ALTER TABLE promises_new RENAME TO promises;
CREATE INDEX promises_customer ON promises (customer_id);
CREATE INDEX promises_open ON promises (customer_id) WHERE status = 'open';
CREATE INDEX promises_evaluated ON promises (evaluated_on, status);

-- The installments move to a new table first: the old one names the old plans table.
CREATE TABLE plans_new (
    id          INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    created_on  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    grace_days  INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'current' CHECK (status IN ('current', 'broken', 'completed', 'cancelled')),
    ended_on    TEXT,
    note        TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO plans_new (id, customer_id, created_on, created_by, grace_days, status, ended_on)
    SELECT id, customer_id, created_on, created_by, grace_days, status, ended_on FROM plans;
CREATE TABLE plan_installments_new (
    plan_id INTEGER NOT NULL REFERENCES plans_new (id),
    seq     INTEGER NOT NULL,
    due     TEXT NOT NULL,
    amount  INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (plan_id, seq)
) STRICT;
INSERT INTO plan_installments_new SELECT plan_id, seq, due, amount FROM plan_installments;
DROP TABLE plan_installments;
DROP TABLE plans;
ALTER TABLE plans_new RENAME TO plans;
ALTER TABLE plan_installments_new RENAME TO plan_installments;
CREATE INDEX plans_customer ON plans (customer_id);

-- A request to write off invoices; an approval item goes to supervisors.
CREATE TABLE write_offs (
    id            INTEGER PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    requested_on  TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'rejected')),
    decided_on    TEXT,
    decided_by    TEXT,
    decision_note TEXT
) STRICT;
CREATE INDEX write_offs_customer ON write_offs (customer_id);

CREATE TABLE write_off_invoices (
    write_off_id INTEGER NOT NULL REFERENCES write_offs (id),
    invoice_no   TEXT NOT NULL REFERENCES invoices (invoice_no),
    -- the balance written off, set on approval
    amount       INTEGER,
    PRIMARY KEY (write_off_id, invoice_no)
) STRICT;

-- An account handed to a collection agency or attorney, until recalled.
CREATE TABLE placements (
    id          INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    agency      TEXT NOT NULL,
    placed_on   TEXT NOT NULL,
    placed_by   TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recalled_on TEXT,
    recalled_by TEXT
) STRICT;
CREATE UNIQUE INDEX placements_one_open ON placements (customer_id) WHERE recalled_on IS NULL;
CREATE INDEX placements_customer ON placements (customer_id, placed_on);

-- Open items by account, for the daily run's look at items whose reason went away.
CREATE INDEX tasks_open_customer ON tasks (customer_id, id) WHERE done_on IS NULL;

-- Written-off amounts by account (the aging report's line, the account view).
CREATE INDEX allocations_write_off ON allocations (customer_id, date, amount) WHERE kind = 'write_off';
