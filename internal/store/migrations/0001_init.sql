-- The projection's first schema. Every row is derived from the genesis and
-- the committed blocks; the database can always be rebuilt by replay.
-- Keys and transaction ids are lower-case hex; times are Unix nanoseconds
-- of block time (never a wall clock).

-- meta holds the one community this database projects.
CREATE TABLE meta (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	chain_id     TEXT    NOT NULL,
	genesis_time INTEGER NOT NULL,
	app_state    BLOB    NOT NULL, -- the genesis app_state JSON, byte for byte
	community    TEXT    NOT NULL  -- the constitution's name
);

-- blocks has one row per committed block; height 0 is the genesis, whose
-- app_hash is the root after the founders' admissions.
CREATE TABLE blocks (
	height     INTEGER PRIMARY KEY,
	time       INTEGER NOT NULL,
	app_hash   BLOB    NOT NULL,
	tx_count   INTEGER NOT NULL,
	leaf_count INTEGER NOT NULL -- accumulator leaves after this block
);

-- txs holds every transaction included in a block, accepted or not. The
-- same bytes may be included again and rejected as a replay, so the key is
-- the position; an id is unique among accepted transactions.
CREATE TABLE txs (
	height INTEGER NOT NULL REFERENCES blocks (height),
	idx    INTEGER NOT NULL,
	id     BLOB    NOT NULL, -- SHA-256 of raw
	raw    BLOB    NOT NULL,
	author TEXT,             -- NULL when the bytes did not decode
	kind   INTEGER,
	nonce  INTEGER,
	code   INTEGER NOT NULL, -- 0 accepted, else the rejection code
	log    TEXT    NOT NULL,
	leaf   INTEGER NOT NULL, -- index of the leaf recording it
	PRIMARY KEY (height, idx)
) WITHOUT ROWID;
CREATE INDEX txs_id ON txs (id);

-- members holds everyone ever admitted; key is the current (or last) key.
CREATE TABLE members (
	number          INTEGER PRIMARY KEY,
	key             TEXT    NOT NULL UNIQUE,
	name            TEXT    NOT NULL,
	admitted_time   INTEGER NOT NULL,
	admitted_height INTEGER NOT NULL,
	admit_seq       INTEGER NOT NULL,
	vouched_by      TEXT    NOT NULL, -- JSON array of member numbers
	left_height     INTEGER           -- NULL while a member
);

-- member_keys is the history of every key a member held.
CREATE TABLE member_keys (
	key            TEXT    PRIMARY KEY,
	member         INTEGER NOT NULL REFERENCES members (number),
	added_height   INTEGER NOT NULL,
	retired_height INTEGER,
	retired_why    TEXT    CHECK (retired_why IN ('rotated', 'left'))
) WITHOUT ROWID;
CREATE INDEX member_keys_member ON member_keys (member, added_height);

-- vouches holds every vouch; member is set when the key was admitted.
CREATE TABLE vouches (
	key     TEXT    NOT NULL,
	voucher INTEGER NOT NULL REFERENCES members (number),
	name    TEXT    NOT NULL,
	height  INTEGER NOT NULL,
	idx     INTEGER NOT NULL,
	member  INTEGER REFERENCES members (number),
	PRIMARY KEY (key, voucher)
) WITHOUT ROWID;
CREATE INDEX vouches_pending ON vouches (member, key);

CREATE TABLE proposals (
	id               INTEGER PRIMARY KEY,
	author           INTEGER NOT NULL REFERENCES members (number),
	title            TEXT    NOT NULL,
	body             TEXT    NOT NULL,
	category         TEXT    NOT NULL,
	created          INTEGER NOT NULL,
	created_height   INTEGER NOT NULL,
	opens            INTEGER NOT NULL,
	closes           INTEGER NOT NULL,
	status           TEXT    NOT NULL CHECK (status IN ('scheduled', 'open', 'decided', 'withdrawn')),
	quorum           TEXT    NOT NULL,
	threshold        TEXT    NOT NULL,
	eligible         INTEGER NOT NULL,
	yes              INTEGER NOT NULL,
	no               INTEGER NOT NULL,
	abstain          INTEGER NOT NULL,
	endorsements     INTEGER NOT NULL,
	comments         INTEGER NOT NULL,
	opened_height    INTEGER,
	withdrawn_height INTEGER,
	decided_height   INTEGER,
	turnout          INTEGER,
	quorum_reached   INTEGER,
	passed           INTEGER
);
CREATE INDEX proposals_status ON proposals (status, id);
CREATE INDEX proposals_category ON proposals (category, id);

-- proposals_fts indexes titles and bodies, which never change.
CREATE VIRTUAL TABLE proposals_fts USING fts5 (title, body, content = 'proposals', content_rowid = 'id');
CREATE TRIGGER proposals_fts_insert AFTER INSERT ON proposals BEGIN
	INSERT INTO proposals_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER proposals_fts_delete AFTER DELETE ON proposals BEGIN
	INSERT INTO proposals_fts (proposals_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;

CREATE TABLE comments (
	id       INTEGER PRIMARY KEY,
	proposal INTEGER NOT NULL REFERENCES proposals (id),
	reply_to INTEGER REFERENCES comments (id),
	author   INTEGER NOT NULL REFERENCES members (number),
	text     TEXT    NOT NULL,
	height   INTEGER NOT NULL,
	time     INTEGER NOT NULL
);
CREATE INDEX comments_proposal ON comments (proposal, id);
CREATE INDEX comments_reply ON comments (reply_to, id);

CREATE TABLE endorsements (
	proposal INTEGER NOT NULL REFERENCES proposals (id),
	member   INTEGER NOT NULL REFERENCES members (number),
	height   INTEGER NOT NULL,
	PRIMARY KEY (proposal, member)
) WITHOUT ROWID;

-- ballots keeps each member's counted (latest) ballot per proposal, with
-- the number of ballots they cast on it; every ballot ever cast is in txs.
CREATE TABLE ballots (
	proposal     INTEGER NOT NULL REFERENCES proposals (id),
	member       INTEGER NOT NULL REFERENCES members (number),
	choice       INTEGER NOT NULL CHECK (choice IN (1, 2, 3)),
	height       INTEGER NOT NULL,
	idx          INTEGER NOT NULL,
	cast_count   INTEGER NOT NULL,
	first_height INTEGER NOT NULL,
	PRIMARY KEY (proposal, member)
) WITHOUT ROWID;

-- leaves holds the accumulator's leaves, for inclusion proofs.
CREATE TABLE leaves (
	idx    INTEGER PRIMARY KEY,
	data   BLOB    NOT NULL,
	height INTEGER NOT NULL REFERENCES blocks (height)
);
