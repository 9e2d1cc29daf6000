package workload

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// The wildcard rules of the IAM User Guide, "IAM JSON policy elements:
// Resource" and "Action": * matches any run of characters including none, ?
// exactly one; actions compare case-insensitively, resources do not.
func TestLike(t *testing.T) {
	tests := []struct {
		pat, s string
		fold   bool
		want   bool
	}{
		{"svc1:Get*", "svc1:getitem", true, true},
		{"svc1:Get*", "svc1:getitem", false, false},
		{"*", "", false, true},
		{"*", "a:b/c", false, true},
		{"a/*", "a", false, false},
		{"a/*", "a/", false, true},
		{"svc*:Get*Item", "svc12:GetBigItem", true, true},
		{"svc*:Get*Item", "svc12:GetItems", true, false},
		{"table/*/index/?x*", "table/t1/index/ax12", false, true},
		{"table/*/index/?x*", "table/t1/index/ay12", false, false},
		{"table/*/index/?x*", "table/t1/index/x", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"a*b*c", "axxbyybc", false, true},
		{"a*b*c", "axxbyyb", false, false},
	}
	for _, tt := range tests {
		if got := Like(tt.pat, tt.s, tt.fold); got != tt.want {
			t.Errorf("Like(%q, %q, fold=%v) = %v, want %v", tt.pat, tt.s, tt.fold, got, tt.want)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	for _, name := range Names {
		a, b := MustGenerate(name, 1000), MustGenerate(name, 1000)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two generations differ", name)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	if _, err := Generate("nope", 10); err == nil {
		t.Error("unknown workload: no error")
	}
	if _, err := Generate("rbac", 2); err == nil {
		t.Error("size 2: no error")
	}
}

// Every workload has the size asked for and a real mix of allowed and
// denied requests, at every size the benchmarks use but the largest (which
// the benchmarks themselves exercise).
func TestGenerateShape(t *testing.T) {
	for _, name := range Names {
		for _, size := range Sizes[:3] {
			t.Run(fmt.Sprintf("%s/%d", name, size), func(t *testing.T) {
				w := MustGenerate(name, size)
				if len(w.Statements) != size {
					t.Errorf("%d statements, want %d", len(w.Statements), size)
				}
				if len(w.Requests) != RequestCount {
					t.Errorf("%d requests, want %d", len(w.Requests), RequestCount)
				}
				allowed := 0
				for _, r := range w.Requests {
					if r.Allow {
						allowed++
					}
				}
				if allowed < RequestCount/5 || allowed > RequestCount*4/5 {
					t.Errorf("%d of %d requests allowed; want between 20%% and 80%%", allowed, RequestCount)
				}
			})
		}
	}
}

func TestDocuments(t *testing.T) {
	w := MustGenerate("tenant", 2500)
	docs := w.Documents()
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3", len(docs))
	}
	n := 0
	for _, d := range docs {
		if !d.VariablesEnabled() {
			t.Errorf("%s: variables not enabled", d.File)
		}
		n += len(d.Statements)
	}
	if n != 2500 {
		t.Errorf("%d statements rendered, want 2500", n)
	}
	js := w.PolicyJSON()
	if len(js) != len(docs) {
		t.Fatalf("%d JSON documents, want %d", len(js), len(docs))
	}
	var v struct{ Statement []map[string]any }
	if err := json.Unmarshal(js[0], &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Statement) != DocStatements {
		t.Errorf("JSON document 0 has %d statements, want %d", len(v.Statement), DocStatements)
	}
	if !bytes.Contains(js[0], []byte(`"${principal:tenant}"`)) {
		t.Error("tenant JSON lacks ${principal:tenant}")
	}
}

func TestEngineRequests(t *testing.T) {
	w := MustGenerate("tenant", 10)
	r := w.Requests[0]
	er := r.Engine()
	if er.Principal.ID != r.Principal || er.Action != r.Action || er.Resource.Name != r.Resource {
		t.Errorf("engine request %+v does not carry %+v", er, r)
	}
	if got := er.Principal.Attributes[AttrTenant]; len(got) != 1 || got[0] != r.Tenant {
		t.Errorf("principal tenant %v, want %q", got, r.Tenant)
	}
	if got := er.Claims[ClaimCompany]; len(got) != 1 || got[0] != r.Company {
		t.Errorf("claim %v, want %q", got, r.Company)
	}
}
