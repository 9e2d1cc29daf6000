package offline

import (
	"testing"
)

// FuzzParseRequest checks that no request file, JSON or YAML, makes the
// decoder panic, and that a request it accepts has an action and a
// resource.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"principal": {"type": "user", "id": "alice", "roles": ["admin"], "attributes": {"dept": 7}},
		  "claims": {"sub": "x", "a": {"b": [1, true]}}, "action": "a:B", "resource": {"name": "r"},
		  "fields": ["f"], "context": {"k": ["v", 1e3]}}`,
		"principal: bob\naction: s3:GetObject\nresource: arn:aws:s3:::b/k\n",
		"a: &x [1, *x]\n",
		`{"action": "a", "action": "b"}`,
		"[1, 2",
	} {
		f.Add("r.json", []byte(s))
		f.Add("r.yaml", []byte(s))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		r, err := ParseRequest(name, data)
		if err != nil {
			return
		}
		if r.Engine.Action == "" || r.Engine.Resource.Name == "" {
			t.Fatalf("accepted a request without action or resource: %+v", r)
		}
	})
}
