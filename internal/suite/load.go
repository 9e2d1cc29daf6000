package suite

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"gatehouse.dev/gatehouse/internal/input"
	"gatehouse.dev/gatehouse/internal/offline"
	"gatehouse.dev/gatehouse/policy"
)

// Suite is one suite file.
type Suite struct {
	// File is the suite's path as found.
	File string
	Name string
	// Policies are the policy files, with paths resolved against the
	// suite's directory and names as written in the suite.
	Policies []offline.Spec
	Cases    []*Case
}

// Case is one request and what to expect of it.
type Case struct {
	Name string
	// Line is where the case starts in the suite file.
	Line    int
	Request *offline.Request
	// Expect is "allow" or "deny".
	Expect string
	// Reason, when not empty, is the expected reason.
	Reason string
	// Sid, when HasSid, is the expected Sid of the deciding statement.
	Sid    string
	HasSid bool
	// Fields are the expected field decisions, in the order written.
	Fields          []FieldExpect
	ExplainContains []string
}

// FieldExpect is the expected decision of one field.
type FieldExpect struct {
	Field string
	Want  string // "allow" or "deny"
}

var reasons = map[string]string{"allowed": "allow", "explicit_deny": "deny", "implicit_deny": "deny"}

// Parse decodes a suite file. It reads no policy file. Every problem is
// reported with file:line:col.
func Parse(file string, data []byte) (*Suite, error) {
	n, err := input.Parse(file, data)
	if err != nil {
		return nil, err
	}
	d := &input.Decoder{File: file}
	s := &Suite{File: file, Name: defaultName(file)}
	if !d.Object(n, "suite", "name", "policies", "resource_policies", "boundary", "session", "cases") {
		return nil, d.Err()
	}
	if v := n.Get("name"); v != nil {
		if name, ok := d.String(v, "name"); ok && name != "" {
			s.Name = name
		}
	}
	dir := filepath.Dir(file)
	for _, set := range []struct {
		key  string
		kind policy.Kind
	}{{"policies", policy.KindIdentity}, {"resource_policies", policy.KindResource}, {"boundary", policy.KindBoundary}, {"session", policy.KindSession}} {
		v := n.Get(set.key)
		if v == nil {
			continue
		}
		files, _ := d.Strings(v, set.key)
		for _, f := range files {
			if f == "" {
				d.Errorf(v, "%s: empty file name", set.key)
				continue
			}
			path := f
			if !filepath.IsAbs(f) {
				path = filepath.Join(dir, f)
			}
			s.Policies = append(s.Policies, offline.Spec{Path: path, Name: f, Kind: set.kind})
		}
	}
	if n.Get("policies") == nil && n.Get("resource_policies") == nil {
		d.Errorf(n, "suite: no policies: list identity policy files under \"policies\" (or resource policies under \"resource_policies\")")
	}
	if c := n.Get("cases"); c == nil {
		d.Errorf(n, "suite: no \"cases\"")
	} else if c.Kind != input.List {
		d.Errorf(c, "cases: want a list of cases, got %s", c.Kind)
	} else {
		if len(c.Items) == 0 {
			d.Errorf(c, "cases: empty; add at least one case")
		}
		seen := map[string]int{}
		for i, item := range c.Items {
			tc := decodeCase(d, item, i)
			if tc == nil {
				continue
			}
			if first, dup := seen[tc.Name]; dup {
				d.Errorf(item, "cases[%d]: the name %q is used by the case at line %d too; names must be unique", i, tc.Name, first)
			}
			seen[tc.Name] = tc.Line
			s.Cases = append(s.Cases, tc)
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

func decodeCase(d *input.Decoder, n *input.Node, i int) *Case {
	what := fmt.Sprintf("cases[%d]", i)
	if !d.Object(n, what, "name", "request", "expect", "reason", "sid", "fields", "explain_contains") {
		return nil
	}
	c := &Case{Name: fmt.Sprintf("case_%d", i+1), Line: n.Line}
	if v := n.Get("name"); v != nil {
		if name, ok := d.String(v, what+".name"); ok {
			if name == "" || strings.Contains(name, "\n") {
				d.Errorf(v, "%s.name: want a one-line name", what)
			}
			c.Name = name
		}
	}
	if v := n.Get("request"); v == nil {
		d.Errorf(n, "%s: missing \"request\"", what)
	} else {
		c.Request = offline.DecodeRequest(d, v, what+".request")
	}
	if v := n.Get("expect"); v == nil {
		d.Errorf(n, "%s: missing \"expect\": allow or deny", what)
	} else if s, ok := d.String(v, what+".expect"); ok {
		if s != "allow" && s != "deny" {
			d.Errorf(v, "%s.expect: %q: want allow or deny", what, s)
		}
		c.Expect = s
	}
	if v := n.Get("reason"); v != nil {
		if s, ok := d.String(v, what+".reason"); ok {
			switch want, known := reasons[s]; {
			case !known:
				d.Errorf(v, "%s.reason: %q: want allowed, explicit_deny or implicit_deny", what, s)
			case c.Expect != "" && want != c.Expect:
				d.Errorf(v, "%s.reason: %s contradicts expect: %s", what, s, c.Expect)
			}
			c.Reason = s
		}
	}
	if v := n.Get("sid"); v != nil {
		c.Sid, c.HasSid = d.String(v, what+".sid")
	}
	if v := n.Get("fields"); v != nil {
		c.Fields = decodeFieldExpects(d, v, what+".fields")
		if c.Request != nil {
			if len(c.Request.Fields) == 0 {
				// Ask for the fields the case expects.
				for _, f := range c.Fields {
					c.Request.Fields = append(c.Request.Fields, f.Field)
				}
			} else {
				for _, f := range c.Fields {
					if !slices.Contains(c.Request.Fields, f.Field) {
						d.Errorf(v, "%s: %q is not among the request's fields %v", what+".fields", f.Field, c.Request.Fields)
					}
				}
			}
		}
	}
	if v := n.Get("explain_contains"); v != nil {
		c.ExplainContains, _ = d.Strings(v, what+".explain_contains")
	}
	return c
}

func decodeFieldExpects(d *input.Decoder, n *input.Node, what string) []FieldExpect {
	if n.Kind != input.Object {
		d.Errorf(n, "%s: want an object of field: allow|deny, got %s", what, n.Kind)
		return nil
	}
	var out []FieldExpect
	for _, m := range n.Members {
		s, ok := d.String(m.Value, fmt.Sprintf("%s[%q]", what, m.Key))
		if !ok {
			continue
		}
		if s != "allow" && s != "deny" {
			d.Errorf(m.Value, "%s[%q]: %q: want allow or deny", what, m.Key, s)
			continue
		}
		out = append(out, FieldExpect{Field: m.Key, Want: s})
	}
	return out
}

// defaultName names a suite after its file: "roles_test.yaml" → "roles".
func defaultName(file string) string {
	base := filepath.Base(file)
	for _, suf := range Suffixes {
		if strings.HasSuffix(base, suf) {
			return strings.TrimSuffix(base, suf)
		}
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}
