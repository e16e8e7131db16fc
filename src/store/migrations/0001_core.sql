-- arq core schema. Money is INTEGER minor units; dates are TEXT 'YYYY-MM-DD' (the
-- shop's local calendar); timestamps are TEXT UTC 'YYYY-MM-DDTHH:MM:SS.ffffffZ'.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('collector', 'supervisor', 'admin')),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE strategies (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    rank       INTEGER NOT NULL,
    is_default INTEGER NOT NULL CHECK (is_default IN (0, 1)),
    source     TEXT NOT NULL,
    file       TEXT NOT NULL,
    loaded_at  TEXT NOT NULL
) STRICT;

CREATE TABLE customers (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    email        TEXT,
    phone        TEXT,
    segment      TEXT,
    risk         TEXT NOT NULL DEFAULT 'normal' CHECK (risk IN ('low', 'normal', 'high')),
    owner        TEXT REFERENCES users (name),
    credit_limit INTEGER,
    opt_out      TEXT NOT NULL DEFAULT '',
    white_glove  INTEGER NOT NULL DEFAULT 0 CHECK (white_glove IN (0, 1)),
    strategy     TEXT,
    created_on   TEXT NOT NULL,
    -- postal address for letters: lines separated by newlines
    address      TEXT
) STRICT, WITHOUT ROWID;
-- covering: a collector's accounts and their names without touching the table
CREATE INDEX customers_owner ON customers (owner, id, name, risk, segment, strategy);

CREATE TABLE invoices (
    invoice_no  TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    issue_date  TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    amount      INTEGER NOT NULL,
    -- amount minus every allocation, whatever its date: the balance as of the latest
    -- record. Balances as of an earlier date add back allocations dated after it.
    balance     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
-- An account's invoices, and (covering, open ones only) what the queue and the daily
-- run read: most invoices of a long-lived shop are settled, so this one stays small.
CREATE INDEX invoices_customer ON invoices (customer_id);
CREATE INDEX invoices_open ON invoices (customer_id, due_date, issue_date, amount, balance) WHERE balance <> 0;

CREATE TABLE payments (
    payment_id  TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    date        TEXT NOT NULL,
    amount      INTEGER NOT NULL,
    invoice_no  TEXT,
    source      TEXT NOT NULL
) STRICT;
CREATE INDEX payments_customer ON payments (customer_id, date);
-- covering: the run's "latest response" and the collected-money reports read only this
CREATE INDEX payments_date ON payments (date, customer_id, amount);

-- What reduced (or, negative, raised) an invoice's balance, and when.
CREATE TABLE allocations (
    id          INTEGER PRIMARY KEY,
    invoice_no  TEXT NOT NULL REFERENCES invoices (invoice_no),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    date        TEXT NOT NULL,
    amount      INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('payment', 'credit', 'write_off', 'adjustment')),
    payment_id  TEXT REFERENCES payments (payment_id),
    ref         TEXT
) STRICT;
CREATE INDEX allocations_invoice ON allocations (invoice_no);
CREATE INDEX allocations_date ON allocations (date);
CREATE INDEX allocations_payment ON allocations (payment_id);

-- A collection cycle: from the first step to the cure.
CREATE TABLE cycles (
    id          INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    strategy_id TEXT NOT NULL,
    started_on  TEXT NOT NULL,
    ended_on    TEXT,
    end_reason  TEXT
) STRICT;
CREATE UNIQUE INDEX cycles_one_open ON cycles (customer_id) WHERE ended_on IS NULL;
-- The daily run reads every open cycle through this one (covering).
CREATE INDEX cycles_open ON cycles (started_on, customer_id, strategy_id) WHERE ended_on IS NULL;
CREATE INDEX cycles_ended ON cycles (ended_on) WHERE ended_on IS NOT NULL;
CREATE INDEX cycles_customer ON cycles (customer_id, started_on, ended_on, strategy_id);

-- Kept in cycle order, so a cycle's steps are read with one seek.
CREATE TABLE steps_done (
    cycle_id    INTEGER NOT NULL REFERENCES cycles (id),
    step_index  INTEGER NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    step_id     TEXT NOT NULL,
    action      TEXT NOT NULL,
    done_on     TEXT NOT NULL,
    how         TEXT NOT NULL CHECK (how IN ('auto', 'task', 'skipped')),
    PRIMARY KEY (cycle_id, step_index)
) STRICT, WITHOUT ROWID;

-- Queue items: step tasks, callbacks, follow-ups, approvals.
CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    reason      TEXT NOT NULL CHECK (reason IN ('step', 'broken_promise', 'callback', 'dispute_follow_up',
                                                'plan_broken', 'approval', 'escalation')),
    action      TEXT NOT NULL,
    assignee    TEXT NOT NULL CHECK (assignee IN ('owner', 'supervisor')),
    cycle_id    INTEGER REFERENCES cycles (id),
    step_index  INTEGER,
    step_id     TEXT,
    ref_id      INTEGER,
    note        TEXT NOT NULL DEFAULT '',
    due         TEXT NOT NULL,
    created_on  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    done_on     TEXT,
    done_by     TEXT,
    outcome     TEXT CHECK (outcome IN ('done', 'cancelled', 'approved', 'rejected')),
    done_note   TEXT
) STRICT;
CREATE INDEX tasks_customer ON tasks (customer_id);
-- covering for the queue's first pass over open items
CREATE INDEX tasks_open ON tasks (due, customer_id, assignee, created_on) WHERE done_on IS NULL;
CREATE INDEX tasks_done ON tasks (done_on);

CREATE TABLE promises (
    id           INTEGER PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    date         TEXT NOT NULL,
    taken_on     TEXT NOT NULL,
    taken_by     TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    grace_days   INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'partially_kept', 'broken')),
    evaluated_on TEXT,
    paid         INTEGER
) STRICT;
CREATE INDEX promises_customer ON promises (customer_id);
CREATE INDEX promises_open ON promises (customer_id) WHERE status = 'open';

CREATE TABLE disputes (
    id              INTEGER PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    invoice_no      TEXT NOT NULL REFERENCES invoices (invoice_no),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    reason          TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    follow_up       TEXT,
    opened_on       TEXT NOT NULL,
    opened_by       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'valid', 'invalid', 'partial')),
    resolved_on     TEXT,
    resolved_by     TEXT,
    credited        INTEGER,
    resolution_note TEXT
) STRICT;
CREATE INDEX disputes_customer ON disputes (customer_id);

CREATE TABLE plans (
    id          INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    created_on  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    grace_days  INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'current' CHECK (status IN ('current', 'broken', 'completed')),
    ended_on    TEXT
) STRICT;
CREATE INDEX plans_customer ON plans (customer_id);

CREATE TABLE plan_installments (
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    seq     INTEGER NOT NULL,
    due     TEXT NOT NULL,
    amount  INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (plan_id, seq)
) STRICT;

CREATE TABLE holds (
    id          INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    set_on      TEXT NOT NULL,
    set_by      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    by_step     INTEGER NOT NULL CHECK (by_step IN (0, 1)),
    released_on TEXT,
    released_by TEXT
) STRICT;
CREATE UNIQUE INDEX holds_one_active ON holds (customer_id) WHERE released_on IS NULL;
CREATE INDEX holds_customer ON holds (customer_id, set_on);

CREATE TABLE calls (
    id          INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    on_date     TEXT NOT NULL,
    at          TEXT NOT NULL,
    by          TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX calls_customer ON calls (customer_id, on_date);
CREATE INDEX calls_date ON calls (on_date, customer_id, outcome);

-- A message is claimed ('sending') in its own transaction before a transport gets it,
-- and marked 'sent' only after the transport accepted it. One left 'sending' (the
-- process stopped, or the server went silent after receiving it) is "in doubt" and is
-- never sent again without a person deciding so (docs/MAIL.md).
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'letter')),
    template    TEXT NOT NULL,
    message_id  TEXT NOT NULL UNIQUE,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    body_html   TEXT,
    created_on  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    cycle_id    INTEGER REFERENCES cycles (id),
    step_index  INTEGER,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    sent_at     TEXT,
    claimed_at  TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending';
CREATE INDEX outbox_sending ON outbox (id) WHERE status = 'sending';
CREATE INDEX outbox_customer ON outbox (customer_id);

CREATE TABLE runs (
    id      INTEGER PRIMARY KEY,
    as_of   TEXT NOT NULL,
    at      TEXT NOT NULL,
    by      TEXT NOT NULL,
    summary TEXT NOT NULL
) STRICT;
CREATE INDEX runs_as_of ON runs (as_of);

-- The record: append-only, each row carrying the hash of the one before.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    customer_id TEXT,
    detail      TEXT NOT NULL,
    data        TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
) STRICT;
CREATE INDEX events_customer ON events (customer_id, seq);
CREATE INDEX events_date ON events (on_date, kind);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event record is append-only: events cannot be changed');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event record is append-only: events cannot be deleted');
END;
