package storetest

import (
	"testing"

	"gatehouse.dev/gatehouse/store"
)

func testStores(t *testing.T, s store.Store) {
	ctx := t.Context()
	list, err := s.ListStores(ctx)
	if err != nil || len(list) != 0 {
		t.Fatalf("ListStores of a new store = %v, %v; want none", list, err)
	}
	for _, id := range []string{"museum", "default", "b-2", "a"} {
		info, err := s.CreateStore(ctx, id)
		if err != nil {
			t.Fatalf("CreateStore(%q): %v", id, err)
		}
		if info.ID != id || info.Revision != 0 || info.CreatedAt.IsZero() {
			t.Errorf("CreateStore(%q) = %+v, want id %q at revision 0 with a creation time", id, info, id)
		}
	}
	_, err = s.CreateStore(ctx, "museum")
	wantErr(t, "CreateStore of an existing store", err, store.ErrExists)
	mustCommit(t, s, "b-2", put("policy", "p", `{}`))

	list, err = s.ListStores(ctx)
	if err != nil {
		t.Fatalf("ListStores: %v", err)
	}
	want := []struct {
		id  string
		rev int64
	}{{"a", 0}, {"b-2", 1}, {"default", 0}, {"museum", 0}}
	if len(list) != len(want) {
		t.Fatalf("ListStores = %+v, want %v", list, want)
	}
	for i, w := range want {
		if list[i].ID != w.id || list[i].Revision != w.rev || list[i].CreatedAt.IsZero() {
			t.Errorf("ListStores[%d] = %+v, want id %q at revision %d", i, list[i], w.id, w.rev)
		}
	}

	_, err = s.Revision(ctx, "nope")
	wantErr(t, "Revision of an unknown store", err, store.ErrNotFound)
	_, err = s.Load(ctx, "nope", 0)
	wantErr(t, "Load of an unknown store", err, store.ErrNotFound)
	_, err = s.Commit(ctx, "nope", 0, []store.Change{put("policy", "p", `{}`)})
	wantErr(t, "Commit to an unknown store", err, store.ErrNotFound)
	_, err = s.Changes(ctx, "nope", 0, 10)
	wantErr(t, "Changes of an unknown store", err, store.ErrNotFound)
	if _, err := s.Revision(ctx, "nope"); err == nil {
		t.Error("a failed Commit created the store")
	}
}

// The system scope is a store like any other, except that ListStores
// leaves it out.
func testSystemScope(t *testing.T, s store.Store) {
	mustCreate(t, s, store.SystemScope, "default")
	_, err := s.CreateStore(t.Context(), store.SystemScope)
	wantErr(t, "CreateStore of the system scope twice", err, store.ErrExists)
	rev := mustCommit(t, s, store.SystemScope, put("key", "k1", `{"hash":"x"}`))
	checkObjects(t, "system scope", mustLoad(t, s, store.SystemScope, 0).Objects,
		[]obj{{"key", "k1", `{"hash":"x"}`, rev}})
	checkObjects(t, "default beside the system scope", mustLoad(t, s, "default", 0).Objects, nil)
	list, err := s.ListStores(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != "default" {
		t.Errorf("ListStores = %+v, want only default (never the system scope)", list)
	}
}
