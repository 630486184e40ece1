-- Popular initiatives add two proposal stages, 'gathering' and 'lapsed'.
-- SQLite cannot alter a CHECK constraint, and rebuilding the table would
-- need foreign keys off, which a migration's transaction cannot do. The
-- constraint is widened in the stored schema instead, the procedure SQLite
-- documents for changes that leave the stored rows valid
-- (https://sqlite.org/lang_altertable.html, "otheralter"). RESET reloads
-- the schema on this connection: migrations run on the writer, the only
-- connection open then (Open starts the readers after).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''decided'', ''withdrawn'')', '''decided'', ''withdrawn'', ''gathering'', ''lapsed'')')
WHERE type = 'table' AND name = 'proposals';
PRAGMA writable_schema = RESET;
