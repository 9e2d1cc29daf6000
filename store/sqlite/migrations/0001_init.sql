-- gatehouse schema, version 1. Times are Unix nanoseconds (UTC).

-- One row per application store and for the system scope. pk is the
-- internal key the other tables use, so that a store's id is stored once.
CREATE TABLE stores (
	pk            INTEGER PRIMARY KEY,
	id            TEXT    NOT NULL UNIQUE,
	revision      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	-- Time of the latest commit; commit times never go backwards within
	-- a store, so "the revisions committed before T" is a prefix.
	committed_at  INTEGER NOT NULL,
	-- The oldest revision Prune kept rebuildable (0: nothing pruned).
	-- Load of an older revision, and Changes from before it, answer
	-- ErrPruned.
	retained_from INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Every version of every object. A version is live for revisions
-- [revision, superseded): the state at revision R is, per (kind, id), the
-- version with revision <= R < superseded (superseded NULL: still the
-- latest), if its body is not NULL (a NULL body is a delete). The versions
-- are also the change feed: one per object a revision changed.
CREATE TABLE object_versions (
	store      INTEGER NOT NULL REFERENCES stores(pk),
	kind       TEXT    NOT NULL,
	id         TEXT    NOT NULL,
	revision   INTEGER NOT NULL,
	superseded INTEGER,
	at         INTEGER NOT NULL,
	body       BLOB,
	PRIMARY KEY (store, kind, id, revision)
) STRICT;

-- The latest version of each object: Load of the current revision, and
-- Commit's lookup of what a change replaces.
CREATE INDEX object_versions_latest ON object_versions (store, kind, id)
	WHERE superseded IS NULL;

-- The change feed, by revision.
CREATE INDEX object_versions_feed ON object_versions (store, revision);

-- The decision log. Entries of one store are never reachable through
-- another store's key.
CREATE TABLE decisions (
	store    INTEGER NOT NULL REFERENCES stores(pk),
	id       TEXT    NOT NULL,
	revision INTEGER NOT NULL,
	at       INTEGER NOT NULL,
	record   BLOB    NOT NULL,
	PRIMARY KEY (store, id)
) STRICT;

-- Prune drops decisions by age.
CREATE INDEX decisions_at ON decisions (at);
