package directory

import (
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/store"
)

// obj is one stored object for a test snapshot: "kind/id" and its body.
type obj struct {
	ref  string
	body string
}

// snapshot builds a store snapshot from objects, each at revision 1.
func snapshot(objs ...obj) *store.Snapshot {
	s := &store.Snapshot{Store: "test", Revision: 1}
	for _, o := range objs {
		kind, id, _ := strings.Cut(o.ref, "/")
		s.Objects = append(s.Objects, store.Object{Kind: kind, ID: id, Body: []byte(o.body), Revision: 1})
	}
	return s
}

// build builds a directory from objects and fails the test on an error or
// an unexpected warning (warnings listed in allow are accepted, by code).
func build(t testing.TB, objs ...obj) *Directory {
	t.Helper()
	d, err := Build(snapshot(objs...))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return d
}

// put is a store.Change that writes body.
func put(r, body string) store.Change {
	kind, id, _ := strings.Cut(r, "/")
	return store.Change{Kind: kind, ID: id, Body: []byte(body)}
}

// del is a store.Change that deletes.
func del(r string) store.Change {
	kind, id, _ := strings.Cut(r, "/")
	return store.Change{Kind: kind, ID: id}
}

// codes returns the codes of warnings.
func codes(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

// The LoopBack thread's policies (examples/loopback-roles): admins may do
// anything on orders; the trap adds LoopBack's DENY $everyone.
const (
	adminPolicy = `{"document": {"Version": "2012-10-17", "Statement": [
		{"Sid": "AdminAll", "Effect": "Allow", "Action": "orders:*", "Resource": "orders:Order/*",
		 "Condition": {"ForAnyValue:StringEquals": {"principal:roles": "admin"}}}]}}`
	trapPolicy = `{"document": {"Version": "2012-10-17", "Statement": [
		{"Sid": "DenyEveryone", "Effect": "Deny", "Action": "orders:*", "Resource": "orders:Order/*",
		 "Condition": {"ForAnyValue:StringEquals": {"principal:roles": "$everyone"}}},
		{"Sid": "AdminAll", "Effect": "Allow", "Action": "orders:*", "Resource": "orders:Order/*",
		 "Condition": {"ForAnyValue:StringEquals": {"principal:roles": "admin"}}}]}}`
	readOrders = `{"document": {"Version": "2012-10-17", "Statement": [
		{"Sid": "Read", "Effect": "Allow", "Action": "orders:find", "Resource": "orders:Order/*"}]}}`
	denyAllOrders = `{"document": {"Version": "2012-10-17", "Statement": [
		{"Sid": "DenyAll", "Effect": "Deny", "Action": "orders:*", "Resource": "*"}]}}`
)
