-- The behaviour class each measure gave a customer, kept as changes: a customer's
-- class on a day is its latest row on or before that day. The daily close appends
-- a row when a measure changes a customer's class (or gives its first), so a replay
-- of a past day (`arq strategy try`) assigns strategies as that day's close did.
CREATE TABLE behaviour_classes (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    as_of       TEXT NOT NULL,
    class       TEXT NOT NULL CHECK (class IN ('low', 'normal', 'high')),
    PRIMARY KEY (customer_id, as_of)
) STRICT, WITHOUT ROWID;

-- The measure kept now is the history's first row.
INSERT INTO behaviour_classes (customer_id, as_of, class)
    SELECT customer_id, as_of, class FROM customer_behaviour;
