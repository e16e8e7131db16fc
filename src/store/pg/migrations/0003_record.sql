-- The record on a server: every arq role appends events, so every arq role needs the
-- audit key that keys their hashes and the anchors that bind the head (a collector's
-- role cannot read `arq_files` itself). The wall is the server's grants: events are
-- never changed or removed, and an anchor line is only ever added.

CREATE FUNCTION arq_audit_key() RETURNS BYTEA
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT body FROM arq_files WHERE name = 'key' $$;

CREATE FUNCTION arq_anchors() RETURNS BYTEA
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT body FROM arq_files WHERE name = 'anchors' $$;

CREATE FUNCTION arq_add_anchor(line TEXT) RETURNS VOID
LANGUAGE sql SECURITY DEFINER SET search_path = public AS
$$ INSERT INTO arq_files (name, body) VALUES ('anchors', convert_to(line, 'UTF8'))
   ON CONFLICT (name) DO UPDATE SET body = arq_files.body || EXCLUDED.body $$;

REVOKE ALL ON FUNCTION arq_audit_key(), arq_anchors(), arq_add_anchor(TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION arq_audit_key(), arq_anchors(), arq_add_anchor(TEXT)
    TO arq_collector, arq_supervisor, arq_admin;
