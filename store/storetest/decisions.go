package storetest

import (
	"bytes"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/store"
)

func decision(storeID, id string, rev int64, at time.Time, record string) store.Decision {
	return store.Decision{ID: id, Store: storeID, Revision: rev, At: at, Record: []byte(record)}
}

func checkDecision(t *testing.T, s store.Store, want store.Decision) {
	t.Helper()
	got, err := s.GetDecision(t.Context(), want.Store, want.ID)
	if err != nil {
		t.Errorf("GetDecision(%q, %q): %v", want.Store, want.ID, err)
		return
	}
	if got.ID != want.ID || got.Store != want.Store || got.Revision != want.Revision ||
		!got.At.Equal(want.At) || !bytes.Equal(got.Record, want.Record) {
		t.Errorf("GetDecision(%q, %q) = %+v (record %s), want %+v (record %s)",
			want.Store, want.ID, got, got.Record, want, want.Record)
	}
}

func testDecisions(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreate(t, s, "a", "b")
	at := time.Date(2025, 3, 1, 12, 30, 0, 123456000, time.UTC)
	ds := []store.Decision{
		decision("a", "01J0000000000000000000000A", 3, at, `{"decision":"allow", "principal":{"id":"1"}}`),
		decision("a", "01J0000000000000000000000B", 4, at.Add(time.Second), `{"decision":"deny","unicode":"é\u00e9"}`),
		decision("b", "01J0000000000000000000000C", 0, at.In(time.FixedZone("X", 3600)), `{"batch":[]}`),
	}
	if err := s.AppendDecisions(ctx, ds); err != nil {
		t.Fatalf("AppendDecisions: %v", err)
	}
	if err := s.AppendDecisions(ctx, nil); err != nil {
		t.Errorf("AppendDecisions(nil): %v", err)
	}
	for _, d := range ds {
		checkDecision(t, s, d)
	}
	// Never readable through another store.
	_, err := s.GetDecision(ctx, "b", ds[0].ID)
	wantErr(t, "GetDecision of a's entry through b", err, store.ErrNotFound)
	_, err = s.GetDecision(ctx, "a", ds[2].ID)
	wantErr(t, "GetDecision of b's entry through a", err, store.ErrNotFound)
	_, err = s.GetDecision(ctx, "nope", ds[0].ID)
	wantErr(t, "GetDecision through an unknown store", err, store.ErrNotFound)
	_, err = s.GetDecision(ctx, "a", "01J000000000000000000000ZZ")
	wantErr(t, "GetDecision of an unknown id", err, store.ErrNotFound)

	// All or nothing.
	good := decision("a", "01J0000000000000000000000D", 4, at, `{}`)
	err = s.AppendDecisions(ctx, []store.Decision{good, decision("nope", "01J0000000000000000000000E", 1, at, `{}`)})
	wantErr(t, "AppendDecisions to an unknown store", err, store.ErrNotFound)
	err = s.AppendDecisions(ctx, []store.Decision{good, decision("a", ds[1].ID, 9, at, `{"again":true}`)})
	wantErr(t, "AppendDecisions of an id already logged", err, store.ErrExists)
	_, err = s.GetDecision(ctx, "a", good.ID)
	wantErr(t, "GetDecision of an entry whose batch failed", err, store.ErrNotFound)
	checkDecision(t, s, ds[1])

	// A record that is not a JSON object is refused, and nothing of its
	// batch is written.
	for _, rec := range []string{``, `[]`, `"x"`, `{`} {
		bad := decision("a", "01J0000000000000000000000F", 1, at, rec)
		err = s.AppendDecisions(ctx, []store.Decision{good, bad})
		if err == nil {
			t.Errorf("AppendDecisions with record %q: no error", rec)
		}
		_, err = s.GetDecision(ctx, "a", good.ID)
		wantErr(t, "GetDecision of an entry whose batch held a bad record", err, store.ErrNotFound)
	}
}
