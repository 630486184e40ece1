-- events holds every event of the core, in the order of the block, with its
-- attributes: a JSON array of [key, value] pairs in the event's order
-- (core.Event). Events with tables of their own (members, proposals,
-- ballots, ...) are also written there; the others (laws, rule versions,
-- offices, delegations) are kept here, so the projection drops none.
CREATE TABLE events (
	height INTEGER NOT NULL REFERENCES blocks (height),
	seq    INTEGER NOT NULL, -- position among the block's events, from 0
	tx     INTEGER NOT NULL, -- index of the transaction; -1 for the block's own work
	type   TEXT    NOT NULL, -- core.Event.Type, such as 'ballot'
	attrs  TEXT    NOT NULL,
	PRIMARY KEY (height, seq)
) WITHOUT ROWID;
CREATE INDEX events_type ON events (type, height);
