package server

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"

	"gatehouse.dev/gatehouse/store"
)

// Decision ids are ULIDs (API.md §7). A check or an explain is logged as
// one entry under its own id. A batch is logged as one entry too — one
// record for all its items, so that the log costs one row per batch rather
// than one per decision (docs/api.md, "Decision log") — and its items get
// consecutive ids: the entry's id is a group id, a ULID whose random part
// ends in groupBits zero bits, and item i's id is the group id with i in
// those bits. Every id handed out is a group id or a member of one, so an
// id names its entry (the id with the low bits cleared) and its place in
// it (the low bits).
const groupBits = 10

// groupSize is how many ids a group holds; a batch never holds more.
const groupSize = 1 << groupBits

// highBits masks the bits of a member's place in byte 14 of its id.
const highBits byte = groupSize>>8 - 1

// newDecisionGroup returns a fresh group id for decisions made at t: the
// time, then 70 random bits, then groupBits zero bits.
func newDecisionGroup(t time.Time) ulid.ULID {
	var u ulid.ULID
	_, _ = rand.Read(u[6:]) // crypto/rand.Read never fails
	_ = u.SetTime(ulid.Timestamp(t))
	return memberOf(u, 0)
}

// memberOf returns member i of group g.
func memberOf(g ulid.ULID, i int) ulid.ULID {
	g[14] = g[14]&^highBits | byte(i>>8)
	g[15] = byte(i)
	return g
}

// splitDecisionID parses id and returns its group id and its place in
// the group. ok is false when id is not a ULID.
func splitDecisionID(id string) (group string, index int, ok bool) {
	u, err := ulid.ParseStrict(id)
	if err != nil {
		return "", 0, false
	}
	index = int(u[14]&highBits)<<8 | int(u[15])
	return memberOf(u, 0).String(), index, true
}

// groupPrefix starts the record of a batch's log entry:
// {"batch":[<record or null>,...]}.
var groupPrefix = []byte(`{"batch":[`)

// memberDecision returns item index of a batch's log entry d as an entry of
// its own, under the item's id, or nil when d holds no such decision (an
// item that was refused has none).
func memberDecision(d *store.Decision, id string, index int) (*store.Decision, error) {
	if !bytes.HasPrefix(d.Record, groupPrefix) {
		if index == 0 {
			return d, nil
		}
		return nil, nil
	}
	var g struct {
		Batch []json.RawMessage `json:"batch"`
	}
	if err := json.Unmarshal(d.Record, &g); err != nil {
		return nil, fmt.Errorf("decision log entry %q: %w", d.ID, err)
	}
	if index >= len(g.Batch) || bytes.Equal(g.Batch[index], []byte("null")) {
		return nil, nil
	}
	m := *d
	m.ID, m.Record = id, g.Batch[index]
	// A group of single checks holds decisions of several revisions and
	// times: each record says its own.
	var own struct {
		Revision *int64    `json:"revision"`
		Time     time.Time `json:"time"`
	}
	if json.Unmarshal(m.Record, &own) == nil && own.Revision != nil {
		m.Revision = *own.Revision
		if !own.Time.IsZero() {
			m.At = own.Time
		}
	}
	return &m, nil
}
