-- Secret ballots add two proposal stages, 'counting' (closed, awaiting the
-- trustees' decryptions) and 'cancelled' (the trustees could not make the
-- key). The CHECK constraint is widened in the stored schema, as in 0004.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''gathering'', ''lapsed'')', '''gathering'', ''lapsed'', ''counting'', ''cancelled'')')
WHERE type = 'table' AND name = 'proposals';
PRAGMA writable_schema = RESET;
