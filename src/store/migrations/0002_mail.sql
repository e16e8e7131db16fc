-- Mail delivery (docs/MAIL.md).
--
-- Customers get an optional postal address for letters: lines separated by newlines.
ALTER TABLE customers ADD COLUMN address TEXT;

-- The outbox gains a 'sending' status: a message is claimed ('sending') in its own
-- transaction before it is handed to a transport, and marked 'sent' only after the
-- transport accepted it. A message left 'sending' (the process stopped, or the server
-- went silent after receiving the message) is "in doubt" and is never sent again
-- without a person deciding so (`arq outbox retry` / `arq outbox confirm`).
-- SQLite cannot change a CHECK constraint, so the table is rebuilt.
CREATE TABLE outbox_new (
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

INSERT INTO outbox_new (id, customer_id, channel, template, message_id, recipient, subject, body_text, body_html,
                        created_on, created_by, cycle_id, step_index, status, attempts, last_error, sent_at)
SELECT id, customer_id, channel, template, message_id, recipient, subject, body_text, body_html,
       created_on, created_by, cycle_id, step_index, status, attempts, last_error, sent_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending';
CREATE INDEX outbox_sending ON outbox (id) WHERE status = 'sending';
CREATE INDEX outbox_customer ON outbox (customer_id);
