-- Payment behaviour (DESIGN §2 "Payment behaviour (predicted)").

-- Whether the shop gave the customer's risk class. When it did not, strategies and the
-- priority score go by the class learned from how the customer pays. Databases from
-- before this knew no difference: a 'low' or 'high' was certainly given, 'normal' was
-- (almost always) the default, so only those two count as given.
ALTER TABLE customers ADD COLUMN risk_set INTEGER NOT NULL DEFAULT 0 CHECK (risk_set IN (0, 1));
UPDATE customers SET risk_set = 1 WHERE risk <> 'normal';
-- The queue reads a collector's accounts from this index alone: it carries the flag too.
DROP INDEX customers_owner;
CREATE INDEX customers_owner ON customers (owner, id, name, risk, segment, strategy, risk_set);

-- Each customer's payment behaviour as the latest daily close measured it: what the
-- queue's priority factor and strategy assignment read. `report risk` computes it
-- afresh for any date. Days and probabilities are statistics (REAL), not money.
CREATE TABLE customer_behaviour (
    customer_id        TEXT PRIMARY KEY REFERENCES customers (id),
    as_of              TEXT NOT NULL,
    history            INTEGER NOT NULL,
    avg_days_late      REAL,
    expected_days_late REAL NOT NULL,
    p_late_30          REAL NOT NULL,
    class              TEXT NOT NULL CHECK (class IN ('low', 'normal', 'high'))
) STRICT, WITHOUT ROWID;

-- The shop's pattern the latest close fitted (JSON of `behaviour::ShopModel`), so an
-- account's estimate on that day needs only its own records.
CREATE TABLE behaviour_model (
    as_of     TEXT PRIMARY KEY,
    fitted_at TEXT NOT NULL,
    model     TEXT NOT NULL
) STRICT, WITHOUT ROWID;
