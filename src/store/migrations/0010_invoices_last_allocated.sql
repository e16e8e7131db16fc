-- The day of each invoice's latest allocation. An invoice paid off today was open on
-- an earlier day D exactly when money was applied to it after D: its balance then was
-- what those allocations add up to. A report twelve weeks back finds those invoices by
-- this date in a small index (one range, read in order) instead of looking up each one
-- by number (a random seek per invoice, hundreds of thousands on a large shop).
ALTER TABLE invoices ADD COLUMN last_allocated_on TEXT;
UPDATE invoices SET last_allocated_on = a.last
  FROM (SELECT invoice_no, MAX(date) AS last FROM allocations GROUP BY invoice_no) AS a
 WHERE a.invoice_no = invoices.invoice_no;
CREATE INDEX invoices_settled ON invoices (last_allocated_on, issue_date, due_date, customer_id, amount)
  WHERE balance = 0;

-- Invoices issued in a period, for one collector's accounts: the customer in the
-- index lets the period's range be read without a lookup per invoice.
DROP INDEX invoices_issued;
CREATE INDEX invoices_issued ON invoices (issue_date, customer_id, amount);
