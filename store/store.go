// Package store is gatehouse's persistence: every store's directory objects
// (policies, roles, mappings, users, ...), versioned by revision so that the
// state at any revision within the retention can be rebuilt, a change feed
// for replicas, the decision log, and the system scope (API keys).
//
// A Store knows nothing of what objects mean: it keeps opaque JSON bodies
// by (kind, id). The directory package gives them meaning; the server
// validates a change against the compiled directory before committing it.
// Implementations: store/sqlite (embedded, the default) and, next,
// store/postgres. storetest is the conformance suite every implementation
// runs.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// SystemScope is the name of the scope that holds gatehouse's own state (API
// keys and their policies). Application store ids cannot start with "_",
// so no application store can read or write it.
const SystemScope = "_system"

// Errors. Implementations wrap them; callers test with errors.Is.
var (
	// ErrNotFound: no such store, object or decision.
	ErrNotFound = errors.New("not found")
	// ErrExists: CreateStore of a store that exists.
	ErrExists = errors.New("already exists")
	// ErrConflict: Commit's base revision is no longer the store's
	// revision (another writer committed first). Reload and retry.
	ErrConflict = errors.New("revision conflict")
	// ErrPruned: the revision asked for is older than the retention.
	ErrPruned = errors.New("revision no longer retained")
)

// StoreInfo describes one application store (or the system scope).
type StoreInfo struct {
	ID        string    `json:"id"`
	Revision  int64     `json:"revision"`
	CreatedAt time.Time `json:"created_at"`
}

// Object is one stored directory object.
type Object struct {
	Kind string          `json:"kind"`
	ID   string          `json:"id"`
	Body json.RawMessage `json:"body"`
	// Revision is the store revision that wrote this version.
	Revision  int64     `json:"revision"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Snapshot is every live object of a store at one revision.
type Snapshot struct {
	Store    string
	Revision int64
	// Objects are sorted by kind, then id.
	Objects []Object
}

// Change is one object write in a Commit: a put when Body is non-nil, a
// delete when it is nil.
type Change struct {
	Kind string
	ID   string
	Body json.RawMessage
}

// ChangeRecord is one entry of the change feed: what a committed revision
// changed.
type ChangeRecord struct {
	Store    string    `json:"store"`
	Revision int64     `json:"revision"`
	Kind     string    `json:"kind"`
	ID       string    `json:"id"`
	Deleted  bool      `json:"deleted"`
	At       time.Time `json:"at"`
}

// Notification says that a store reached a revision (sent after commit).
type Notification struct {
	Store    string
	Revision int64
}

// Decision is one decision log entry. Record holds every input of the
// decision except secrets, as a JSON object (the server defines its shape
// and is trusted to write valid JSON: at hundreds of thousands of
// decisions a second a full validation would cost more than the write, so
// a store checks only that Record looks like an object, braces at both
// ends).
type Decision struct {
	ID       string          `json:"id"` // a ULID
	Store    string          `json:"store"`
	Revision int64           `json:"revision"`
	At       time.Time       `json:"at"`
	Record   json.RawMessage `json:"record"`
}

// Store is the persistence interface. Every method is safe for concurrent
// use. Every write is one transaction: it applies whole or not at all.
type Store interface {
	// CreateStore creates an application store (or the system scope) at
	// revision 0. ErrExists if it exists.
	CreateStore(ctx context.Context, id string) (StoreInfo, error)
	// ListStores lists application stores (not the system scope) by id.
	ListStores(ctx context.Context) ([]StoreInfo, error)
	// Revision returns a store's current revision. ErrNotFound if the
	// store does not exist.
	Revision(ctx context.Context, store string) (int64, error)

	// Load returns the store's live objects at revision rev, or at its
	// current revision when rev <= 0. ErrPruned when rev is older than
	// what retention keeps, ErrNotFound for an unknown store or a
	// revision not reached yet.
	Load(ctx context.Context, store string, rev int64) (*Snapshot, error)
	// Commit applies changes atomically if the store is still at base,
	// bumping its revision by one and recording a change entry per
	// object; it returns the new revision. ErrConflict if the store has
	// moved past base. Deleting an absent object is ErrNotFound (and
	// nothing is applied). A commit with no changes is an error.
	Commit(ctx context.Context, store string, base int64, changes []Change) (int64, error)
	// Changes returns the change entries of revisions > since, oldest
	// first, at most limit (positive). A revision is never split across
	// calls: a page ends at a revision boundary, except that a first
	// revision with more than limit entries comes whole, so a reader
	// paging with since = the last revision it got sees every entry once.
	// ErrPruned when entries after since are no longer retained (reload
	// the whole state with Load instead).
	Changes(ctx context.Context, store string, since int64, limit int) ([]ChangeRecord, error)
	// Watch delivers a Notification after every commit (by this process
	// or, for shared databases, by any replica) until ctx ends. Slow
	// receivers may miss notifications but always get the latest
	// revision eventually; callers reload on any notification.
	Watch(ctx context.Context) (<-chan Notification, error)

	// AppendDecisions persists decision log entries.
	AppendDecisions(ctx context.Context, ds []Decision) error
	// GetDecision returns one entry of a store's decision log;
	// ErrNotFound if absent or in another store.
	GetDecision(ctx context.Context, store, id string) (*Decision, error)

	// Prune drops decisions older than before and object versions
	// superseded before then (keeping what is needed to rebuild any
	// revision committed at or after before). It returns how many rows
	// it removed.
	Prune(ctx context.Context, before time.Time) (int64, error)

	Close() error
}
