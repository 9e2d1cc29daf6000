// Package migrate reads a store implementation's schema migrations: numbered
// SQL files embedded in the binary (0001_init.sql, 0002_….sql), applied in
// order and recorded in a schema_migrations table by the implementation.
//
// It holds what every SQL implementation shares (reading, ordering and
// checking the files, deciding what to apply and refusing a database written
// by a newer gatehouse); applying them is the implementation's own, since
// each database has its own transaction and placeholder syntax.
package migrate

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one schema step.
type Migration struct {
	// Version is the file's number: 1 for 0001_init.sql.
	Version int
	// Name is the file name, for logs and errors.
	Name string
	// SQL is the file's content, run as one script.
	SQL string
}

// ErrNewerSchema: the database was migrated by a newer gatehouse than this
// one; opening it could corrupt it, so it is refused.
var ErrNewerSchema = errors.New("database schema is newer than this gatehouse")

// Read returns the migrations in dir of fsys, by version. File names are
// NNNN_description.sql; versions start at 1 and are dense, so that a
// missing or duplicated file is caught when the binary is built and tested
// rather than on a user's database. Other files are an error too.
func Read(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migrations: %s is not a NNNN_name.sql file", name)
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migrations: %s does not start with a version number and '_' (0001_init.sql)", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations: expected version %d, found %s (versions must be 1, 2, 3, … without gaps or repeats)", i+1, m.Name)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("migrations: none in %s", dir)
	}
	return ms, nil
}

// Pending returns the migrations to apply to a database whose schema is at
// version current (0 for a new database). A database at a version this
// binary does not know is refused with ErrNewerSchema.
func Pending(current int, all []Migration) ([]Migration, error) {
	latest := 0
	if len(all) > 0 {
		latest = all[len(all)-1].Version
	}
	if current > latest {
		return nil, fmt.Errorf("%w: the database is at schema version %d, this gatehouse knows versions up to %d; run a gatehouse at least as new as the one that last opened it", ErrNewerSchema, current, latest)
	}
	if current < 0 {
		return nil, fmt.Errorf("migrations: invalid schema version %d", current)
	}
	return all[current:], nil
}
