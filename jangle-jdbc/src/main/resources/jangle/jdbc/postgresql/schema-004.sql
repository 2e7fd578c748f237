-- Jangle store schema, version 4, PostgreSQL: a processor's fenced checkpoint advance (D21) that refuses by raising
-- an error instead of by matching no row, so that it can travel in one round trip with its transaction's COMMIT
-- (statement checkpoints.advanceAndCommit). On an error the server skips the rest of the text, the COMMIT with it, and
-- the transaction is rolled back; a plain UPDATE that matched no row would have let the COMMIT go through.
CREATE OR REPLACE FUNCTION jangle_advance_checkpoint(p_position BIGINT, p_now TIMESTAMPTZ, p_processor TEXT,
                                                     p_segment INTEGER, p_owner TEXT) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE jangle_checkpoints SET position = GREATEST(position, p_position), updated_at = p_now
    WHERE processor = p_processor AND segment = p_segment AND owner = p_owner;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the checkpoint of processor % segment % is not held by node %', p_processor, p_segment, p_owner
            USING ERRCODE = 'JG001';
    END IF;
END
$$;

-- A saga's optimistic version check (SG4) that refuses by raising JG002 instead of by writing no row, for the same
-- reason: the saga's row, its new events and the COMMIT then go in one round trip (sagas.commitChecked*).
CREATE OR REPLACE FUNCTION jangle_require_saga_row(p_rows BIGINT, p_saga_id TEXT) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
    IF p_rows <> 1 THEN
        RAISE EXCEPTION 'saga % was changed by someone else', p_saga_id USING ERRCODE = 'JG002';
    END IF;
END
$$;
