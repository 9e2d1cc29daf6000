package directory

import (
	"errors"
	"time"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/store"
)

// Directory is one store revision compiled: every object decoded, one
// engine for all the store's policies, and the indexes of role resolution.
// It is immutable and safe for concurrent use; the server builds one per
// revision and swaps it in atomically.
type Directory struct {
	store    string
	revision int64
	eng      *engine.Engine
	warnings []Warning
}

// Entry is one object of a Directory: decoded, and as stored.
type Entry struct {
	Object Object
	// Stored is the object as the store holds it: its body exactly as
	// written, the revision that wrote it and when.
	Stored store.Object
}

// Build decodes every object of snap and compiles the directory. Objects
// of kinds it does not know (owned by other packages) are ignored. An
// object that does not decode, or a reference to an object that does not
// exist, does not fail the build: it is skipped and recorded in Warnings.
func Build(snap *store.Snapshot) (*Directory, error) {
	return (*Directory)(nil).Next(snap)
}

// Next is Build reusing the work of d (which may be nil): objects whose
// kind, id and revision are unchanged since d are not decoded again.
func (d *Directory) Next(snap *store.Snapshot) (*Directory, error) {
	return nil, errors.New("directory: Build not implemented yet")
}

// Store returns the id of the store the directory was built from.
func (d *Directory) Store() string { return d.store }

// Revision returns the store revision the directory was built from.
func (d *Directory) Revision() int64 { return d.revision }

// Engine returns the compiled engine.
func (d *Directory) Engine() *engine.Engine { return d.eng }

// Warnings returns what the build found wrong without failing (dangling
// references, skipped objects) and every LoopBack trap in the store.
func (d *Directory) Warnings() []Warning { return d.warnings }

// Stats counts the directory's objects by kind, and the engine's
// statements, for metrics and logs.
type Stats struct {
	Objects    map[string]int
	Statements int
	// Compile is how long Build took, when the caller measured it; the
	// directory itself reads no clock.
	Compile time.Duration
}
