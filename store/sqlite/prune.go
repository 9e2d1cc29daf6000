package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// pruneBatch is how many decisions one Prune transaction deletes, so that
// dropping a day of a busy log does not hold the write lock for long.
const pruneBatch = 5000

// Prune implements store.Store. Per store, the horizon is the last revision
// committed before before: revisions from the horizon on stay rebuildable
// (the horizon's own state is what was live at before), older ones answer
// ErrPruned. Versions that no retained revision can see are deleted:
// versions superseded at or before the horizon, and deletes older than it.
// Each store and each batch of decisions is its own transaction.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	cut := unixNano(before)
	var total int64

	for {
		var n int64
		err := s.write(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM decisions WHERE rowid IN
				(SELECT rowid FROM decisions WHERE at < ? LIMIT ?)`, cut, pruneBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		}, nil)
		if err != nil {
			return total, fmt.Errorf("sqlite: prune decisions: %w", err)
		}
		total += n
		if n < pruneBatch {
			break
		}
	}

	var pks []int64
	rows, err := s.db.QueryContext(ctx, "SELECT pk FROM stores ORDER BY pk")
	if err != nil {
		return total, fmt.Errorf("sqlite: prune: %w", err)
	}
	for rows.Next() {
		var pk int64
		if err := rows.Scan(&pk); err != nil {
			rows.Close()
			return total, fmt.Errorf("sqlite: prune: %w", err)
		}
		pks = append(pks, pk)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return total, fmt.Errorf("sqlite: prune: %w", err)
	}

	for _, pk := range pks {
		var id string
		var horizon, n int64
		err := s.write(ctx, func(tx *sql.Tx) error {
			var retained int64
			if err := tx.QueryRowContext(ctx, "SELECT id, retained_from FROM stores WHERE pk = ?", pk).Scan(&id, &retained); err != nil {
				return err
			}
			err := tx.QueryRowContext(ctx, `SELECT revision FROM object_versions
				WHERE store = ? AND at < ? ORDER BY revision DESC LIMIT 1`, pk, cut).Scan(&horizon)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && horizon <= retained) {
				horizon = 0
				return nil
			}
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM object_versions
				WHERE store = ? AND revision < ? AND (body IS NULL OR superseded <= ?)`, pk, horizon, horizon)
			if err != nil {
				return err
			}
			if n, err = res.RowsAffected(); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, "UPDATE stores SET retained_from = ? WHERE pk = ?", horizon, pk)
			return err
		}, nil)
		if err != nil {
			return total, fmt.Errorf("sqlite: prune store %q: %w", id, err)
		}
		if horizon > 0 {
			s.log.Info("pruned store history", "store", id, "retained_from", horizon, "versions", n)
		}
		total += n
	}
	return total, nil
}
