-- text_amendments keeps every change an author made to a proposal's title
-- and body before voting opened (tx kind amend-text), with the text before
-- and after, so a page can show each change as a diff. proposals holds the
-- current text; its full-text index follows it.
CREATE TABLE text_amendments (
	proposal  INTEGER NOT NULL REFERENCES proposals (id),
	revision  INTEGER NOT NULL, -- from 1, in order
	height    INTEGER NOT NULL REFERENCES blocks (height),
	idx       INTEGER NOT NULL, -- the transaction's index in its block
	time      INTEGER NOT NULL, -- block time, Unix nanoseconds
	author    INTEGER NOT NULL REFERENCES members (number),
	old_title TEXT    NOT NULL,
	old_body  TEXT    NOT NULL,
	title     TEXT    NOT NULL,
	body      TEXT    NOT NULL,
	PRIMARY KEY (proposal, revision)
) WITHOUT ROWID;

CREATE TRIGGER proposals_fts_update AFTER UPDATE OF title, body ON proposals BEGIN
	INSERT INTO proposals_fts (proposals_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
	INSERT INTO proposals_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
