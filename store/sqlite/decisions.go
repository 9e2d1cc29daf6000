package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gatehouse.dev/gatehouse/store"
)

// AppendDecisions implements store.Store: all entries or none. An entry for
// an unknown store is ErrNotFound; an id already in its store's log is
// ErrExists.
func (s *Store) AppendDecisions(ctx context.Context, ds []store.Decision) error {
	if len(ds) == 0 {
		return nil
	}
	for i, d := range ds {
		if d.ID == "" || d.Store == "" {
			return fmt.Errorf("decision %d: empty id or store", i)
		}
		if n := len(d.Record); n < 2 || d.Record[0] != '{' || d.Record[n-1] != '}' {
			return fmt.Errorf("decision %q: record is not a JSON object", d.ID)
		}
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		insert, err := tx.PrepareContext(ctx, `INSERT INTO decisions (store, id, revision, at, record)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return fmt.Errorf("sqlite: append decisions: %w", err)
		}
		defer insert.Close()
		pks := map[string]int64{}
		for _, d := range ds {
			pk, ok := pks[d.Store]
			if !ok {
				st, err := lookup(ctx, tx, d.Store)
				if err != nil {
					return fmt.Errorf("decision %q: %w", d.ID, err)
				}
				pk = st.pk
				pks[d.Store] = pk
			}
			res, err := insert.ExecContext(ctx, pk, d.ID, d.Revision, unixNano(d.At), []byte(d.Record))
			if err != nil {
				return fmt.Errorf("sqlite: append decision %q: %w", d.ID, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("sqlite: append decision %q: %w", d.ID, err)
			} else if n == 0 {
				return fmt.Errorf("decision %q in store %q: %w", d.ID, d.Store, store.ErrExists)
			}
		}
		return nil
	}, nil)
}

// GetDecision implements store.Store.
func (s *Store) GetDecision(ctx context.Context, storeID, id string) (*store.Decision, error) {
	d := &store.Decision{ID: id, Store: storeID}
	var at int64
	var record []byte
	err := s.db.QueryRowContext(ctx, `SELECT d.revision, d.at, d.record
		FROM decisions d JOIN stores s ON s.pk = d.store
		WHERE s.id = ? AND d.id = ?`, storeID, id).Scan(&d.Revision, &at, &record)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("decision %q in store %q: %w", id, storeID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: decision %q: %w", id, err)
	}
	d.At = fromUnixNano(at)
	d.Record = record
	return d, nil
}
