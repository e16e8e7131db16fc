-- Invoices whose money does not simply add up to their amount: written off (a
-- write-off settles the balance but is not a payment) or with money taken back (a
-- negative adjustment re-opens an invoice). Every other invoice with a zero balance
-- was paid in full on the day of its latest allocation, which lets the "days late"
-- of the whole shop be read from `invoices_settled` alone; these few are read the
-- long way, from their allocations.
CREATE INDEX allocations_irregular ON allocations (invoice_no) WHERE kind = 'write_off' OR amount < 0;
