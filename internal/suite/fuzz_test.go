package suite

import "testing"

// FuzzParse checks that no suite file makes the suite decoder panic, and
// that a suite it accepts has policies and named cases with expectations.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"policies: [p.json]\ncases:\n  - name: a\n    request: {principal: a, action: a:B, resource: r, fields: [x]}\n    expect: allow\n    reason: allowed\n    sid: S\n    fields: {x: deny}\n    explain_contains: [h]\n",
		`{"policies": ["p.json"], "cases": [{"request": {"action": "a", "resource": "r"}, "expect": "deny"}]}`,
		"cases: [{}, {}]\n",
	} {
		f.Add("s_test.yaml", []byte(s))
		f.Add("s_test.json", []byte(s))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		s, err := Parse(name, data)
		if err != nil {
			return
		}
		if len(s.Policies) == 0 || len(s.Cases) == 0 {
			t.Fatalf("accepted a suite without policies or cases: %+v", s)
		}
		for _, c := range s.Cases {
			if c.Name == "" || (c.Expect != "allow" && c.Expect != "deny") || c.Request == nil {
				t.Fatalf("accepted a bad case: %+v", c)
			}
		}
	})
}
