package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"gatehouse.dev/gatehouse/store"
)

// Load implements store.Store.
func (s *Store) Load(ctx context.Context, id string, rev int64) (*store.Snapshot, error) {
	var snap *store.Snapshot
	err := s.read(ctx, func(tx *sql.Tx) error {
		st, err := lookup(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case rev <= 0:
			rev = st.revision
		case rev > st.revision:
			return fmt.Errorf("store %q is at revision %d, revision %d: %w", id, st.revision, rev, store.ErrNotFound)
		case rev < st.retainedFrom:
			return fmt.Errorf("store %q keeps revisions from %d on, revision %d: %w", id, st.retainedFrom, rev, store.ErrPruned)
		}
		var rows *sql.Rows
		if rev == st.revision {
			// The latest versions, through the partial index.
			rows, err = tx.QueryContext(ctx, `SELECT kind, id, revision, at, body FROM object_versions
				WHERE store = ? AND superseded IS NULL AND body IS NOT NULL
				ORDER BY kind, id`, st.pk)
		} else {
			// "+revision" keeps the planner on the primary key, which
			// yields rows in (kind, id) order, instead of the feed
			// index and a sort of the whole result.
			rows, err = tx.QueryContext(ctx, `SELECT kind, id, revision, at, body FROM object_versions
				WHERE store = ? AND +revision <= ? AND (superseded IS NULL OR superseded > ?) AND body IS NOT NULL
				ORDER BY kind, id`, st.pk, rev, rev)
		}
		if err != nil {
			return fmt.Errorf("sqlite: load %q at %d: %w", id, rev, err)
		}
		defer rows.Close()
		snap = &store.Snapshot{Store: id, Revision: rev, Objects: []store.Object{}}
		for rows.Next() {
			var o store.Object
			var at int64
			var body []byte
			if err := rows.Scan(&o.Kind, &o.ID, &o.Revision, &at, &body); err != nil {
				return fmt.Errorf("sqlite: load %q at %d: %w", id, rev, err)
			}
			o.Body = body
			o.UpdatedAt = fromUnixNano(at)
			snap.Objects = append(snap.Objects, o)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: load %q at %d: %w", id, rev, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// checkChanges rejects a change list that cannot be committed, before any
// transaction starts.
func checkChanges(changes []store.Change) error {
	if len(changes) == 0 {
		return errors.New("commit with no changes")
	}
	seen := make(map[[2]string]bool, len(changes))
	for i, c := range changes {
		if c.Kind == "" || c.ID == "" {
			return fmt.Errorf("change %d: empty kind or id", i)
		}
		key := [2]string{c.Kind, c.ID}
		if seen[key] {
			return fmt.Errorf("change %d: %s %q changed twice in one commit", i, c.Kind, c.ID)
		}
		seen[key] = true
		if c.Body != nil && !json.Valid(c.Body) {
			return fmt.Errorf("change %d: body of %s %q is not valid JSON", i, c.Kind, c.ID)
		}
	}
	return nil
}

// Commit implements store.Store. Each change supersedes the object's latest
// version and adds a new one (with a NULL body for a delete), all at the new
// revision, in one transaction.
func (s *Store) Commit(ctx context.Context, id string, base int64, changes []store.Change) (int64, error) {
	if err := checkChanges(changes); err != nil {
		return 0, fmt.Errorf("store %q: %w", id, err)
	}
	var rev int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		st, err := lookup(ctx, tx, id)
		if err != nil {
			return err
		}
		if st.revision != base {
			return fmt.Errorf("store %q is at revision %d, not %d: %w", id, st.revision, base, store.ErrConflict)
		}
		rev = base + 1
		// Commit times never go backwards within a store, even if the
		// clock does, so that Prune's horizon is a prefix of revisions.
		at := max(unixNano(s.now()), st.committedAt)

		latest, err := tx.PrepareContext(ctx, `SELECT rowid, body IS NULL FROM object_versions
			WHERE store = ? AND kind = ? AND id = ? AND superseded IS NULL`)
		if err != nil {
			return fmt.Errorf("sqlite: commit: %w", err)
		}
		defer latest.Close()
		supersede, err := tx.PrepareContext(ctx, "UPDATE object_versions SET superseded = ? WHERE rowid = ?")
		if err != nil {
			return fmt.Errorf("sqlite: commit: %w", err)
		}
		defer supersede.Close()
		insert, err := tx.PrepareContext(ctx, `INSERT INTO object_versions (store, kind, id, revision, at, body)
			VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("sqlite: commit: %w", err)
		}
		defer insert.Close()

		for _, c := range changes {
			var rowid int64
			var deleted bool
			err := latest.QueryRowContext(ctx, st.pk, c.Kind, c.ID).Scan(&rowid, &deleted)
			found := err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("sqlite: commit: %w", err)
			}
			if c.Body == nil && (!found || deleted) {
				return fmt.Errorf("store %q: delete %s %q: %w", id, c.Kind, c.ID, store.ErrNotFound)
			}
			if found {
				if _, err := supersede.ExecContext(ctx, rev, rowid); err != nil {
					return fmt.Errorf("sqlite: commit: %w", err)
				}
			}
			var body any // NULL for a delete
			if c.Body != nil {
				body = []byte(c.Body)
			}
			if _, err := insert.ExecContext(ctx, st.pk, c.Kind, c.ID, rev, at, body); err != nil {
				return fmt.Errorf("sqlite: commit: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE stores SET revision = ?, committed_at = ? WHERE pk = ?",
			rev, at, st.pk); err != nil {
			return fmt.Errorf("sqlite: commit: %w", err)
		}
		return nil
	}, func() { s.hub.publish(store.Notification{Store: id, Revision: rev}) })
	if err != nil {
		return 0, err
	}
	return rev, nil
}

// Changes implements store.Store. A revision is never split: the entries
// returned are whole revisions, up to limit entries, except that a first
// revision with more than limit changes is returned whole (so that a
// reader paging with since = the last revision it got always progresses).
// Changes from before the retained revisions answer ErrPruned.
func (s *Store) Changes(ctx context.Context, id string, since int64, limit int) ([]store.ChangeRecord, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("changes of %q: limit %d must be positive", id, limit)
	}
	since = max(since, 0)
	var out []store.ChangeRecord
	err := s.read(ctx, func(tx *sql.Tx) error {
		st, err := lookup(ctx, tx, id)
		if err != nil {
			return err
		}
		if since+1 < st.retainedFrom {
			return fmt.Errorf("store %q keeps changes from revision %d on, asked from %d: %w", id, st.retainedFrom, since+1, store.ErrPruned)
		}
		out, err = changes(ctx, tx, id, st.pk, "revision > ?", since, limit+1)
		if err != nil || len(out) <= limit {
			return err
		}
		last := out[limit].Revision // the first entry past the limit
		if out[limit-1].Revision != last {
			out = out[:limit]
			return nil
		}
		// Revision last does not fit: drop it, or, when it is the only
		// one, return it whole. out[limit-1] is in it.
		n := limit - 2
		for n >= 0 && out[n].Revision == last {
			n--
		}
		if n >= 0 {
			out = out[:n+1]
			return nil
		}
		out, err = changes(ctx, tx, id, st.pk, "revision = ?", last, -1)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// changes reads change records of one store matching cond (on revision).
func changes(ctx context.Context, tx *sql.Tx, id string, pk int64, cond string, rev int64, limit int) ([]store.ChangeRecord, error) {
	rows, err := tx.QueryContext(ctx, `SELECT revision, kind, id, body IS NULL, at FROM object_versions
		WHERE store = ? AND `+cond+` ORDER BY revision, kind, id LIMIT ?`, pk, rev, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: changes of %q: %w", id, err)
	}
	defer rows.Close()
	var out []store.ChangeRecord
	for rows.Next() {
		c := store.ChangeRecord{Store: id}
		var at int64
		if err := rows.Scan(&c.Revision, &c.Kind, &c.ID, &c.Deleted, &at); err != nil {
			return nil, fmt.Errorf("sqlite: changes of %q: %w", id, err)
		}
		c.At = fromUnixNano(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: changes of %q: %w", id, err)
	}
	return out, nil
}
