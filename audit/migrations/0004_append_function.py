"""The PostgreSQL function that appends audit events under the chain lock.

`vaf_audit_append(events)` checks the transaction's deferred constraints,
takes the chain's advisory lock (the key of audit.services), reads
the head, and for each event (a JSON object: its columns, and its canonical
document in two pieces around `prev_hash` and `seq`, see
`audit.chain.hash_pieces`) computes its hash and inserts it; then it inserts
the Merkle tree nodes the events complete, from the tree's right edge read
once. It returns each event's seq, prev_hash and hash. So the
serialised part of an append is one statement executed in the server,
not a conversation with the client (audit.services). SQLite has no such
function and needs none: it has one writer at a time.

The function runs with its caller's rights (it can insert nothing the caller
could not), and with a fixed search_path (the schema the migration ran in,
temporary tables last), so no table of the caller's can stand in for the log.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION vaf_audit_append(events jsonb)
RETURNS TABLE (seq bigint, prev_hash text, hash text)
LANGUAGE plpgsql
SET search_path = pg_catalog, {schema}, pg_temp
AS $$
DECLARE
    head_seq bigint;
    head_hash text;
    event jsonb;
    edge text[];
    lvl integer;
    idx bigint;
    node bytea;
    left_hash text;
    new_levels integer[] := '{}';
    new_indexes bigint[] := '{}';
    new_hashes text[] := '{}';
BEGIN
    -- Check the transaction's deferred foreign keys now, before the lock: at
    -- COMMIT they take row locks (KEY SHARE) that a writer waiting for this
    -- lock may hold, and that would be a deadlock.
    SET CONSTRAINTS ALL IMMEDIATE;
    PERFORM pg_advisory_xact_lock(94838353510741);  -- audit.services._CHAIN_LOCK_KEY
    SET CONSTRAINTS ALL DEFERRED;
    SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit_auditevent a ORDER BY a.seq DESC LIMIT 1;
    IF head_seq IS NULL THEN
        head_seq := 0;
        head_hash := repeat('0', 64);
    END IF;
    -- edge[l + 1]: the last complete subtree at level l, the left sibling a
    -- new node at level l can need: made by this call, or read from the table.
    edge := array_fill(NULL::text, ARRAY[63]);
    FOR event IN SELECT value FROM jsonb_array_elements(events) LOOP
        seq := head_seq + 1;
        prev_hash := head_hash;
        hash := encode(sha256(convert_to(
            (event->>'head') || prev_hash || (event->>'middle') || seq::text || '}', 'UTF8')), 'hex');
        INSERT INTO audit_auditevent (seq, occurred_at, actor_id, actor_username, action, object_type,
                                      object_id, payload, reason, ip, prev_hash, hash)
        VALUES (seq, (event->>'occurred_at')::timestamptz, (event->>'actor_id')::uuid,
                event->>'actor_username', event->>'action', event->>'object_type', event->>'object_id',
                event->'payload', event->>'reason', (event->>'ip')::inet, prev_hash, hash);
        -- The leaf, then every complete subtree it finishes.
        lvl := 0;
        idx := seq - 1;
        node := sha256('\x00'::bytea || decode(hash, 'hex'));
        new_levels := new_levels || lvl;
        new_indexes := new_indexes || idx;
        new_hashes := new_hashes || encode(node, 'hex');
        WHILE idx % 2 = 1 LOOP
            IF edge[lvl + 1] IS NULL THEN
                SELECT t.hash INTO left_hash FROM audit_treenode t WHERE t.level = lvl AND t."index" = idx - 1;
                edge[lvl + 1] := left_hash;
            END IF;
            IF edge[lvl + 1] IS NULL THEN
                RAISE EXCEPTION 'the stored tree has no node at level %, index %', lvl, idx - 1
                    USING ERRCODE = 'data_corrupted';
            END IF;
            node := sha256('\x01'::bytea || decode(edge[lvl + 1], 'hex') || node);
            lvl := lvl + 1;
            idx := idx / 2;
            new_levels := new_levels || lvl;
            new_indexes := new_indexes || idx;
            new_hashes := new_hashes || encode(node, 'hex');
        END LOOP;
        -- The new complete subtree is on the right edge now. The entries
        -- below it are stale, and never read: the next size has those bits
        -- clear, and each is written again before its bit is set.
        edge[lvl + 1] := encode(node, 'hex');
        head_seq := seq;
        head_hash := hash;
        RETURN NEXT;
    END LOOP;
    INSERT INTO audit_treenode (level, "index", hash)
    SELECT * FROM unnest(new_levels, new_indexes, new_hashes);
END
$$
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT quote_ident(current_schema())")
            schema = cursor.fetchone()[0]
        schema_editor.execute(FUNCTION.replace("{schema}", schema), params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS vaf_audit_append(jsonb)", params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_transparency_log")]

    operations = [migrations.RunPython(install, remove)]
