-- A collector's role appends events only in its own name: an event it writes says
-- who wrote it (supervisors and admins also record the daily run as `arq`).
ALTER POLICY own_append ON events
    WITH CHECK (actor = current_user AND (customer_id IS NULL OR arq_mine(customer_id)));
