package directory

import (
	"fmt"
	"testing"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/store"
)

// scaleStore is a store of n roles (each with its own policy, including
// its parent in a binary tree), n user mappings, n/10 group mappings and
// n/10 stored users with attributes and groups.
func scaleStore(n int) *store.Snapshot {
	var objs []obj
	for i := 0; i < n; i++ {
		objs = append(objs,
			obj{fmt.Sprintf("policy/p%d", i), fmt.Sprintf(`{"document": {"Version": "2012-10-17", "Statement": [
				{"Sid": "Read", "Effect": "Allow", "Action": ["svc%d:Get*", "svc%d:List*"], "Resource": "svc%d:tenant/${principal:tenant}/*"},
				{"Sid": "NoDelete", "Effect": "Deny", "Action": "svc%d:Delete*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}}`, i%100, i%100, i%100, i%100)})
		includes := ""
		if i > 0 {
			includes = fmt.Sprintf(`"r%d"`, (i-1)/2)
		}
		objs = append(objs, obj{fmt.Sprintf("role/r%d", i), fmt.Sprintf(`{"policies": ["p%d"], "includes": [%s]}`, i, includes)})
		objs = append(objs, obj{fmt.Sprintf("role_mapping/%d", i), fmt.Sprintf(`{"principal_type": "USER", "principal_id": "u%d", "role": "r%d"}`, i, n-1-i)})
		if i%10 == 0 {
			objs = append(objs,
				obj{fmt.Sprintf("role_mapping/g%d", i), fmt.Sprintf(`{"principal_type": "GROUP", "principal_id": "g%d", "role": "r%d"}`, i, i)},
				obj{fmt.Sprintf("user/u%d", i), fmt.Sprintf(`{"attributes": {"tenant": "t%d", "level": 3}, "groups": ["g%d", "g%d"]}`, i%7, i, (i+10)%n)})
		}
	}
	s := snapshot(objs...)
	// Snapshots are sorted by kind, then id.
	return s
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		snap := scaleStore(n)
		b.Run(fmt.Sprintf("roles=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Build(snap); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The server rebuilds after each write: one role changed (the
		// engine is compiled again) ...
		b.Run(fmt.Sprintf("roles=%d/next-role", n), func(b *testing.B) {
			prev, err := Build(snap)
			if err != nil {
				b.Fatal(err)
			}
			next := &store.Snapshot{Store: snap.Store, Revision: 2, Objects: append([]store.Object(nil), snap.Objects...)}
			for i := range next.Objects {
				if next.Objects[i].Kind == KindRole {
					next.Objects[i] = store.Object{Kind: KindRole, ID: next.Objects[i].ID, Body: []byte(`{"description": "changed"}`), Revision: 2}
					break
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := prev.Next(next); err != nil {
					b.Fatal(err)
				}
			}
		})
		// ... or one role mapping added (the engine is reused).
		b.Run(fmt.Sprintf("roles=%d/next-mapping", n), func(b *testing.B) {
			prev, err := Build(snap)
			if err != nil {
				b.Fatal(err)
			}
			next := &store.Snapshot{Store: snap.Store, Revision: 2, Objects: append(append([]store.Object(nil), snap.Objects...),
				store.Object{Kind: KindRoleMapping, ID: "new", Body: []byte(`{"principal_type": "USER", "principal_id": "x", "role": "r1"}`), Revision: 2})}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := prev.Next(next); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		d, err := Build(scaleStore(n))
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Warnings()) > 0 {
			b.Fatalf("warnings: %v", d.Warnings()[0])
		}
		// u10 is stored (tenant t3, groups g10 and g20) and mapped to
		// r(n-11), whose ancestors are about log2(n) roles.
		in := &CheckInput{Subject: Subject{Type: "user", ID: "u10"}, Action: "svc0:GetObject",
			Resource: engine.Resource{Name: "svc0:tenant/t3/doc1"}, Context: map[string]engine.Values{"aws:MultiFactorAuthPresent": {"true"}}}
		if r := d.Check(in); !r.Decision.Allowed() {
			b.Fatalf("not allowed: %+v %v", r.Decision, r.Resolution.Roles)
		}
		b.Run(fmt.Sprintf("roles=%d/stored-user", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.Check(in)
			}
		})
		unknown := &CheckInput{Subject: Subject{Type: "user", ID: "nobody"}, Action: "svc0:GetObject", Resource: engine.Resource{Name: "svc0:tenant/t3/doc1"}}
		b.Run(fmt.Sprintf("roles=%d/unknown-user", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.Check(unknown)
			}
		})
		b.Run(fmt.Sprintf("roles=%d/resolve", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.Resolve(&in.Subject, nil)
			}
		})
		b.Run(fmt.Sprintf("roles=%d/validate-role", n), func(b *testing.B) {
			change := put("role/r5", `{"policies": ["p5"], "includes": ["r2"]}`)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Validate(change); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
