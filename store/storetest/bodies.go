package storetest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/store"
)

// Bodies come back byte for byte: no re-encoding, no reordering of keys,
// no whitespace changes.
func testBodies(t *testing.T, s store.Store) {
	mustCreate(t, s, "a")
	bodies := []string{
		`{"b":1,  "a":"\u00e9é", "c":[1,2 ,3],"d":{"z":null}}`,
		"{\n\t\"Version\": \"2012-10-17\",\n\t\"Statement\": []\n}\n",
		`"just a string"`,
		`12345678901234567890.5e-3`,
		`null`,
		`[]`,
		`{"html":"<a href=\"x\">&amp;</a>","esc":"\"\\\/\b\f\n\r\t"}`,
		`{"emoji":"😀","nul":"\u0000"}`,
	}
	var changes []store.Change
	var want []obj
	for i, b := range bodies {
		id := string(rune('a' + i))
		changes = append(changes, put("body", id, b))
		want = append(want, obj{"body", id, b, 1})
	}
	mustCommit(t, s, "a", changes...)
	mustCommit(t, s, "a", put("other", "x", `1`))
	checkObjects(t, "current", mustLoad(t, s, "a", 0).Objects[:len(want)], want)
	checkObjects(t, "at revision 1", mustLoad(t, s, "a", 1).Objects, want)
}

func testLargeBody(t *testing.T, s store.Store) {
	mustCreate(t, s, "a")
	big := `{"pad":"` + strings.Repeat("x", 1<<20) + `"}`
	mustCommit(t, s, "a", put("policy", "big", big), put("policy", "small", `1`))
	bigger := `{"pad":"` + strings.Repeat("é", 1<<19) + `","n":2}`
	mustCommit(t, s, "a", put("policy", "big", bigger))
	for rev, want := range map[int64]string{1: big, 2: bigger} {
		snap := mustLoad(t, s, "a", rev)
		if len(snap.Objects) != 2 || !bytes.Equal(snap.Objects[0].Body, []byte(want)) {
			t.Errorf("Load(%d): the 1 MiB body did not come back intact (%d objects)", rev, len(snap.Objects))
		}
	}
}

func testUnicode(t *testing.T, s store.Store) {
	const id = "café-ストア"
	mustCreate(t, s, id)
	ids := []string{"héllo/世界 😀", "Zebra", "zebra", "a b", `quote"d`, "ü", "日本"}
	var changes []store.Change
	for _, x := range ids {
		changes = append(changes, put("pölicy", x, `{"id":"`+strings.ReplaceAll(x, `"`, `\"`)+`"}`))
	}
	rev := mustCommit(t, s, id, changes...)
	m := map[[2]string]obj{}
	for _, c := range changes {
		m[[2]string{c.Kind, c.ID}] = obj{c.Kind, c.ID, string(c.Body), rev}
	}
	// Sorted by kind, then id, comparing bytes (as Go compares strings).
	checkObjects(t, "unicode ids", mustLoad(t, s, id, 0).Objects, sortedObjs(m))
	rev = mustCommit(t, s, id, del("pölicy", "héllo/世界 😀"))
	delete(m, [2]string{"pölicy", "héllo/世界 😀"})
	checkObjects(t, "after deleting a unicode id", mustLoad(t, s, id, rev).Objects, sortedObjs(m))
	list, err := s.ListStores(t.Context())
	if err != nil || len(list) != 1 || list[0].ID != id {
		t.Errorf("ListStores = %+v, %v; want %q", list, err, id)
	}
	if err := s.AppendDecisions(t.Context(), []store.Decision{decision(id, "01J0000000000000000000000U", rev, time.Unix(1700000000, 0), `{}`)}); err != nil {
		t.Fatalf("AppendDecisions: %v", err)
	}
	if _, err := s.GetDecision(t.Context(), id, "01J0000000000000000000000U"); err != nil {
		t.Errorf("GetDecision in a unicode store: %v", err)
	}
}
