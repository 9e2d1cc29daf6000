package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
)

// contextValues converts a case's context (strings, numbers, booleans or
// lists of them) into engine values, numbers kept as their JSON text.
func contextValues(raw map[string]json.RawMessage) (map[string]engine.Values, error) {
	out := map[string]engine.Values{}
	for k, v := range raw {
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		var x any
		if err := dec.Decode(&x); err != nil {
			return nil, err
		}
		vals, err := engine.ValuesOf(x)
		if err != nil {
			return nil, fmt.Errorf("context %s: %w", k, err)
		}
		out[k] = vals
	}
	return out, nil
}

// buildPolicies parses every document of a case; ok is false (with the
// findings) when any is invalid.
func buildPolicies(c *refCase) ([]engine.Policy, policy.Findings) {
	var ps []engine.Policy
	var all policy.Findings
	add := func(docs []json.RawMessage, kind policy.Kind) {
		for i, raw := range docs {
			name := fmt.Sprintf("%s/%v/%d.json", c.ID, kind, i)
			doc, fs := policy.Load(name, raw, kind)
			all = append(all, fs.Errors()...)
			if doc != nil {
				ps = append(ps, engine.Policy{Name: name, Kind: kind, Doc: doc})
			}
		}
	}
	add(c.Policies.Identity, policy.KindIdentity)
	add(c.Policies.Boundary, policy.KindBoundary)
	add(c.Policies.Session, policy.KindSession)
	return ps, all
}

// TestIAMConformance runs the public corpus of documented IAM evaluation
// cases; every case must agree.
func TestIAMConformance(t *testing.T) {
	// The corpus is read by the reference test's loader (refLoadCases).
	for _, c := range refLoadCases(t) {
		t.Run(c.ID, func(t *testing.T) {
			ps, errs := buildPolicies(&c)
			var e *engine.Engine
			var compileErr error
			if !errs.HasErrors() {
				e, compileErr = engine.Compile(ps)
			}
			if c.Expect == "error" {
				if !errs.HasErrors() && compileErr == nil {
					t.Fatalf("%s\nexpected the policy to be rejected, but it was accepted", c.Note)
				}
				return
			}
			if errs.HasErrors() {
				t.Fatalf("%s\nunexpected policy errors:\n%v", c.Note, errs)
			}
			if compileErr != nil {
				t.Fatalf("%s\ncompile: %v", c.Note, compileErr)
			}
			ctx, err := contextValues(c.Request.Context)
			if err != nil {
				t.Fatal(err)
			}
			r := &engine.Request{
				Principal: engine.Principal{Type: "user", ID: c.Request.Principal},
				Action:    c.Request.Action,
				Resource:  engine.Resource{Name: c.Request.Resource},
				Context:   ctx,
			}
			d := e.Decide(r)
			want := engine.Allowed
			if c.Expect == "deny" {
				want = engine.ImplicitDeny
				if c.ExpectReason == "explicit" {
					want = engine.ExplicitDeny
				}
			}
			if d.Reason != want {
				t.Errorf("%s (%s)\ngot %v, want %v", c.Note, c.Source, d.Reason, want)
			}
		})
	}
}
