package directory

import (
	"fmt"
	"reflect"
	"testing"

	"gatehouse.dev/gatehouse/store"
)

// TestList checks pagination: sorted by id (numeric ids numerically),
// cursor = last id.
func TestList(t *testing.T) {
	var objs []obj
	for _, id := range []string{"10", "9", "100", "2", "b", "a"} {
		objs = append(objs, obj{"role_mapping/" + id, fmt.Sprintf(`{"principal_type": "USER", "principal_id": "u%s", "role": "r"}`, id)})
	}
	objs = append(objs, obj{"role/r", `{}`}, obj{"role_mapping/x", `{"principal_type": "GROUP", "principal_id": "g", "role": "r"}`})
	d := build(t, objs...)

	var got []string
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		page, next := d.List(KindRoleMapping, cursor, 3)
		for _, e := range page {
			got = append(got, e.Object.ObjectID())
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if want := []string{"2", "9", "10", "100", "a", "b", "x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ids = %q, want %q", got, want)
	}
	page, next := d.ListMappings(MappingFilter{PrincipalType: PrincipalGroup}, "", 0)
	if len(page) != 1 || page[0].Object.ObjectID() != "x" || next != "" {
		t.Errorf("filtered = %v, %q", page, next)
	}
	page, next = d.ListMappings(MappingFilter{Role: "r"}, "9", 2)
	if len(page) != 2 || page[0].Object.ObjectID() != "10" || next != "100" {
		t.Errorf("filtered page = %v, %q", page, next)
	}
	if page, next := d.List(KindUser, "", 0); len(page) != 0 || page == nil || next != "" {
		t.Errorf("empty kind = %#v, %q", page, next)
	}
	e, ok := d.Get(KindRoleMapping, "9")
	if !ok || e.Stored.Revision != 1 || string(e.Stored.Body) == "" || e.Object.(*RoleMapping).PrincipalID != "u9" {
		t.Errorf("Get = %+v, %v", e, ok)
	}
	if _, ok := d.Get(KindRole, "nope"); ok {
		t.Error("Get of an absent role")
	}
	if d.Len(KindRoleMapping) != 7 || d.Stats().Objects[KindRole] != 1 {
		t.Errorf("Len = %d, Stats = %+v", d.Len(KindRoleMapping), d.Stats())
	}
}

// TestNext checks that a rebuild reuses unchanged objects and sees changed
// ones.
func TestNext(t *testing.T) {
	s1 := snapshot(obj{"policy/p", readOrders}, obj{"role/r", `{"policies": ["p"]}`}, obj{"widget/x", `not ours`})
	d1, err := Build(s1)
	if err != nil {
		t.Fatal(err)
	}
	if len(d1.Warnings()) != 0 {
		t.Fatalf("warnings: %v (objects of other kinds must be ignored)", d1.Warnings())
	}
	s2 := &store.Snapshot{Store: "test", Revision: 2, Objects: append([]store.Object(nil), s1.Objects...)}
	s2.Objects[1] = store.Object{Kind: KindRole, ID: "r", Body: []byte(`{"description": "new"}`), Revision: 2}
	d2, err := d1.Next(s2)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := d1.Get(KindPolicy, "p")
	p2, _ := d2.Get(KindPolicy, "p")
	if p1.Object != p2.Object {
		t.Error("the unchanged policy was decoded again")
	}
	r2, _ := d2.Get(KindRole, "r")
	if r2.Object.(*Role).Description != "new" || d2.Revision() != 2 || d2.Store() != "test" {
		t.Errorf("role = %+v", r2.Object)
	}
	if d2.Stats().Statements != 0 || d1.Stats().Statements != 1 {
		t.Errorf("statements: %d then %d", d1.Stats().Statements, d2.Stats().Statements)
	}
	if d2.Engine() == d1.Engine() {
		t.Error("the engine was reused though the role's policies changed")
	}
	// A new mapping changes no policy: the engine is reused.
	s3 := &store.Snapshot{Store: "test", Revision: 3, Objects: append(append([]store.Object(nil), s2.Objects...),
		store.Object{Kind: KindRoleMapping, ID: "1", Body: []byte(`{"principal_type": "USER", "principal_id": "1", "role": "r"}`), Revision: 3})}
	d3, err := d2.Next(s3)
	if err != nil {
		t.Fatal(err)
	}
	if d3.Engine() != d2.Engine() || d3.Len(KindRoleMapping) != 1 {
		t.Errorf("engine reused: %v; mappings: %d", d3.Engine() == d2.Engine(), d3.Len(KindRoleMapping))
	}
	// Another store's directory is not reused.
	other := &store.Snapshot{Store: "other", Revision: 3, Objects: s3.Objects}
	if d4, _ := d3.Next(other); d4.Engine() == d3.Engine() {
		t.Error("the engine of another store was reused")
	}
}
