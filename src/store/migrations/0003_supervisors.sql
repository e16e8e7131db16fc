-- What supervisors read: strategy versions (each load of a changed file), the step
-- done under each, a KPI snapshot per daily run for trend lines, and objectives.

CREATE TABLE strategy_versions (
    strategy_id TEXT NOT NULL,
    version     INTEGER NOT NULL,
    loaded_on   TEXT NOT NULL,
    loaded_by   TEXT NOT NULL,
    source      TEXT NOT NULL,
    PRIMARY KEY (strategy_id, version)
) STRICT;
INSERT INTO strategy_versions (strategy_id, version, loaded_on, loaded_by, source)
    SELECT id, 1, substr(loaded_at, 1, 10), 'arq', source FROM strategies;
-- The version in force the day the step was done (steps from before versions: 1).
ALTER TABLE steps_done ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Shop-wide figures as of each daily run, so 12-week trends draw at once. Reports
-- for a period are computed from the dated records, not from these.
CREATE TABLE kpi_daily (
    day          TEXT PRIMARY KEY,
    open_balance INTEGER NOT NULL,
    current      INTEGER NOT NULL,
    d1_30        INTEGER NOT NULL,
    d31_60       INTEGER NOT NULL,
    d61_90       INTEGER NOT NULL,
    d91_plus     INTEGER NOT NULL,
    credit_sales INTEGER NOT NULL,
    collected    INTEGER NOT NULL,
    written_off  INTEGER NOT NULL,
    taken_at     TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE objectives (
    id          INTEGER PRIMARY KEY,
    kpi         TEXT NOT NULL CHECK (kpi IN ('dso', 'cei', 'past_due_91', 'promise_kept_rate', 'calls_per_day')),
    -- a decimal number as text: days, percent, an amount or calls
    target      TEXT NOT NULL,
    by_date     TEXT NOT NULL,
    collector   TEXT REFERENCES users (name),
    baseline    TEXT,
    baseline_on TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    removed_on  TEXT,
    removed_by  TEXT
) STRICT;

-- Credit sales of a period, and per-person activity.
CREATE INDEX invoices_issued ON invoices (issue_date, amount);
CREATE INDEX calls_by ON calls (by, on_date);
CREATE INDEX promises_taken ON promises (taken_by, taken_on);
