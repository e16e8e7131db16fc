-- Who may read and write what, enforced by the server: every arq user is a login role
-- that belongs to one of the shop's three group roles. Collectors reach their own accounts and
-- what hangs off them; supervisors and admins reach everything; nobody but the
-- schema's owner may change or remove an event.

-- `arq_collector`, `arq_supervisor` and `arq_admin` stand for the shop's own group roles
-- (arq names them after the database and creates them before this runs): every shop
-- on a cluster has its own, and only its members may connect to its database.
DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO arq_collector, arq_supervisor, arq_admin',
                   current_database());
END
$$;

-- Whether the connected collector owns customer `cid` (the customers' own policy
-- applies inside, so this is true only for the caller's accounts).
CREATE FUNCTION arq_mine(cid TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM customers c WHERE c.id = cid AND c.owner = current_user) $$;

-- The head of the event chain, which every writer needs to append to it, even a
-- collector who may not read the event itself.
CREATE FUNCTION arq_chain_head() RETURNS TABLE (seq BIGINT, hash TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT e.seq, e.hash FROM events e ORDER BY e.seq DESC LIMIT 1 $$;
REVOKE ALL ON FUNCTION arq_chain_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION arq_chain_head() TO arq_collector, arq_supervisor, arq_admin;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO arq_supervisor, arq_admin;
REVOKE ALL ON arq_files FROM arq_supervisor, arq_admin;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON arq_schema FROM arq_supervisor, arq_admin;
GRANT SELECT ON arq_schema TO arq_collector;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO arq_collector, arq_supervisor, arq_admin;
-- The shop's own tables: everyone reads them, collectors write none of them.
GRANT SELECT ON meta, users, strategies, strategy_versions, runs, kpi_daily, objectives,
    behaviour_model TO arq_collector;

DO $$
DECLARE
    t TEXT;
BEGIN
    -- Tables with a customer_id: a collector reaches the rows of their own accounts.
    FOREACH t IN ARRAY ARRAY['invoices', 'payments', 'allocations', 'cycles', 'steps_done',
        'tasks', 'disputes', 'holds', 'calls', 'outbox', 'promises', 'plans', 'write_offs',
        'placements', 'account_flags', 'pre_due_reminders', 'customer_behaviour',
        'behaviour_classes']
    LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO arq_collector', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY staff ON %I TO arq_supervisor, arq_admin USING (true) WITH CHECK (true)', t);
        -- Reading: one set of the collector's accounts per statement (a hashed
        -- subquery), not a look-up per row, since the policy is applied before any
        -- other condition of the query. Writing: the row at hand.
        EXECUTE format('CREATE POLICY own_accounts ON %I TO arq_collector
                        USING (customer_id IN (SELECT c.id FROM customers c WHERE c.owner = current_user))
                        WITH CHECK (arq_mine(customer_id))', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON customers TO arq_collector;
ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff ON customers TO arq_supervisor, arq_admin USING (true) WITH CHECK (true);
CREATE POLICY own_accounts ON customers TO arq_collector
    USING (owner = current_user) WITH CHECK (owner = current_user);

-- Rows that hang off a plan or a write-off reach as far as their parent does.
GRANT SELECT, INSERT, UPDATE ON plan_installments, write_off_invoices TO arq_collector;
ALTER TABLE plan_installments ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff ON plan_installments TO arq_supervisor, arq_admin USING (true) WITH CHECK (true);
CREATE POLICY own_accounts ON plan_installments TO arq_collector
    USING (EXISTS (SELECT 1 FROM plans p WHERE p.id = plan_id))
    WITH CHECK (EXISTS (SELECT 1 FROM plans p WHERE p.id = plan_id));
ALTER TABLE write_off_invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff ON write_off_invoices TO arq_supervisor, arq_admin USING (true) WITH CHECK (true);
CREATE POLICY own_accounts ON write_off_invoices TO arq_collector
    USING (EXISTS (SELECT 1 FROM write_offs w WHERE w.id = write_off_id))
    WITH CHECK (EXISTS (SELECT 1 FROM write_offs w WHERE w.id = write_off_id));

-- The record: appended and read, never changed or removed (but by the owner).
REVOKE UPDATE, DELETE, TRUNCATE ON events FROM arq_collector, arq_supervisor, arq_admin;
GRANT SELECT, INSERT ON events TO arq_collector, arq_supervisor, arq_admin;
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_read ON events FOR SELECT TO arq_supervisor, arq_admin USING (true);
CREATE POLICY staff_append ON events FOR INSERT TO arq_supervisor, arq_admin WITH CHECK (true);
CREATE POLICY own_read ON events FOR SELECT TO arq_collector
    USING (customer_id IS NULL
           OR customer_id IN (SELECT c.id FROM customers c WHERE c.owner = current_user));
CREATE POLICY own_append ON events FOR INSERT TO arq_collector
    WITH CHECK (customer_id IS NULL OR arq_mine(customer_id));
