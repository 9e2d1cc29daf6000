// Package sqlite is gatehouse's embedded storage: a [store.Store] on SQLite
// (the pure-Go driver modernc.org/sqlite, no cgo) in a data directory that
// one gatehouse process owns.
//
// Durability: the database runs in WAL mode with synchronous=FULL, so a
// Commit that returned has been written to the WAL and fsynced; it survives
// kill -9, and a power cut too. A crash in the middle of a commit leaves the
// database at the previous revision, never half-written.
//
// Schema migrations are embedded (migrations/NNNN_name.sql) and applied by
// [Open] in one transaction; a database written by a newer gatehouse is
// refused rather than guessed at.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gatehouse.dev/gatehouse/store"
	"gatehouse.dev/gatehouse/store/migrate"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DatabaseFile is the database's name inside the data directory. SQLite
// keeps two more files beside it while it is open (-wal and -shm).
const DatabaseFile = "gatehouse.db"

const (
	// busyTimeout is how long a statement waits for a lock held by
	// another connection before failing. Writes of this process are
	// serialized before they reach SQLite, so only checkpoints and other
	// processes (the sqlite3 shell, a backup) make anyone wait.
	busyTimeout = 10 * time.Second
	// maxConns bounds the pool: one writer at a time plus concurrent
	// readers (WAL readers never block the writer nor each other).
	maxConns = 8
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options configures a Store.
type Options struct {
	// Now is the clock for commit and creation times; nil means
	// time.Now. Tests set it to a fake clock.
	Now func() time.Time
	// Logger receives migration and prune messages; nil discards them.
	Logger *slog.Logger
}

// Store is a store.Store on SQLite. It is safe for concurrent use.
type Store struct {
	db  *sql.DB
	now func() time.Time
	log *slog.Logger
	// writer is a one-slot semaphore: one write transaction at a time, so
	// writers queue in Go (honouring their context) instead of polling
	// SQLite's lock.
	writer chan struct{}
	hub    *hub
	unlock func() error

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database in dir, creating dir with
// mode 0700 and the database with mode 0600, and brings its schema up to
// date. Only one process may have a data directory open at a time: a second
// Open of the same directory fails while the first is open.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if dir == "" {
		return nil, errors.New("sqlite: empty data directory")
	}
	if strings.ContainsAny(dir, "?#") {
		// The driver reads everything after '?' as connection options.
		return nil, fmt.Errorf("sqlite: data directory %q contains '?' or '#'; choose another path", dir)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: create data directory: %w", err)
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("sqlite: data directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("sqlite: data directory %s is not a directory", dir)
	} else if fi.Mode().Perm()&0o077 != 0 {
		log.Warn("data directory is readable by other users; it holds API key hashes and the decision log", "dir", dir, "mode", fi.Mode().Perm().String())
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := open(ctx, dir, now, log)
	if err != nil {
		unlock()
		return nil, err
	}
	s.unlock = unlock
	return s, nil
}

func open(ctx context.Context, dir string, now func() time.Time, log *slog.Logger) (*Store, error) {
	path := filepath.Join(dir, DatabaseFile)
	// Create the file ourselves so that it is 0600 from the start; SQLite
	// gives its -wal and -shm files the database file's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open database: %w", err)
	}
	f.Close()

	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL, not WAL's usual NORMAL: every commit fsyncs the WAL before it
	// returns, so an acknowledged write survives kill -9 and power loss.
	// (NORMAL would survive kill -9 but could lose the last commits when
	// the machine goes down.)
	q.Add("_pragma", "synchronous(FULL)")
	// Write transactions take the write lock at BEGIN (BEGIN IMMEDIATE):
	// a deferred one that reads first and then writes can fail with
	// SQLITE_BUSY midway when another connection wrote in between.
	// Read-only transactions stay plain BEGIN.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(0)

	s := &Store{
		db:     db,
		now:    now,
		log:    log,
		writer: make(chan struct{}, 1),
		hub:    newHub(),
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: journal mode is %q, not WAL (does the file system support shared memory?)", path, mode)
	}
	if err := s.migrate(ctx, path); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// migrate applies the pending migrations in one transaction.
func (s *Store) migrate(ctx context.Context, path string) error {
	all, err := migrate.Read(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at INTEGER NOT NULL
		) STRICT`); err != nil {
			return fmt.Errorf("sqlite: %s: schema_migrations: %w", path, err)
		}
		var current int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
			return fmt.Errorf("sqlite: %s: schema version: %w", path, err)
		}
		pending, err := migrate.Pending(current, all)
		if err != nil {
			return fmt.Errorf("sqlite: %s: %w", path, err)
		}
		for _, m := range pending {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("sqlite: %s: migration %s: %w", path, m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, s.now().UnixNano()); err != nil {
				return fmt.Errorf("sqlite: %s: record migration %s: %w", path, m.Name, err)
			}
			s.log.Info("applied schema migration", "database", path, "migration", m.Name)
		}
		return nil
	}, nil)
}

// Close stops every Watch (closing its channel) and closes the database.
// It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.hub.close()
		s.closeErr = s.db.Close()
		if s.unlock != nil {
			if err := s.unlock(); err != nil && s.closeErr == nil {
				s.closeErr = err
			}
		}
	})
	return s.closeErr
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) and commits it if
// fn returns nil; otherwise nothing fn did is kept. committed, if not nil,
// runs after the commit while no other write can start, so that what it
// publishes is in commit order.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error, committed func()) error {
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writer }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	if committed != nil {
		committed()
	}
	return nil
}

// read runs fn in a read-only transaction: one consistent snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// unixNano and fromUnixNano are how times are stored.
func unixNano(t time.Time) int64 { return t.UnixNano() }

func fromUnixNano(n int64) time.Time { return time.Unix(0, n).UTC() }
