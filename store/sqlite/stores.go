package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gatehouse.dev/gatehouse/store"
)

// storeRow is a stores row.
type storeRow struct {
	pk           int64
	revision     int64
	committedAt  int64
	retainedFrom int64
}

// lookup reads a store's row; ErrNotFound if there is none.
func lookup(ctx context.Context, tx *sql.Tx, id string) (storeRow, error) {
	var r storeRow
	err := tx.QueryRowContext(ctx,
		"SELECT pk, revision, committed_at, retained_from FROM stores WHERE id = ?", id).
		Scan(&r.pk, &r.revision, &r.committedAt, &r.retainedFrom)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("store %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("sqlite: store %q: %w", id, err)
	}
	return r, nil
}

// CreateStore implements store.Store.
func (s *Store) CreateStore(ctx context.Context, id string) (store.StoreInfo, error) {
	if id == "" {
		return store.StoreInfo{}, errors.New("sqlite: empty store id")
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM stores WHERE id = ?", id).Scan(&one)
		if err == nil {
			return fmt.Errorf("store %q: %w", id, store.ErrExists)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: create store %q: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO stores (id, created_at, committed_at) VALUES (?, ?, ?)",
			id, unixNano(now), unixNano(now)); err != nil {
			return fmt.Errorf("sqlite: create store %q: %w", id, err)
		}
		return nil
	}, nil)
	if err != nil {
		return store.StoreInfo{}, err
	}
	return store.StoreInfo{ID: id, Revision: 0, CreatedAt: fromUnixNano(unixNano(now))}, nil
}

// ListStores implements store.Store.
func (s *Store) ListStores(ctx context.Context) ([]store.StoreInfo, error) {
	rows, err := s.db.QueryContext(ctx,
		"SELECT id, revision, created_at FROM stores WHERE id <> ? ORDER BY id", store.SystemScope)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list stores: %w", err)
	}
	defer rows.Close()
	var out []store.StoreInfo
	for rows.Next() {
		var info store.StoreInfo
		var created int64
		if err := rows.Scan(&info.ID, &info.Revision, &created); err != nil {
			return nil, fmt.Errorf("sqlite: list stores: %w", err)
		}
		info.CreatedAt = fromUnixNano(created)
		out = append(out, info)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list stores: %w", err)
	}
	return out, nil
}

// Revision implements store.Store.
func (s *Store) Revision(ctx context.Context, id string) (int64, error) {
	var rev int64
	err := s.db.QueryRowContext(ctx, "SELECT revision FROM stores WHERE id = ?", id).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: revision of %q: %w", id, err)
	}
	return rev, nil
}
