package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/engine"
)

// recordFixture is a store where subjects get roles every way there is
// (mapping, group, includes, claim rule, dynamic), and the directory at
// its revision.
func recordFixture(t testing.TB) (*testServer, *directory.Directory) {
	ts := newTestServer(t)
	tb := &testServer{t: t, srv: ts.srv}
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/p", map[string]any{"document": policyDoc("Allow", "orders:*", "orders:*")})
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/d", map[string]any{"document": policyDoc("Deny", "orders:Delete", "*")})
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/staff", map[string]any{"policies": []string{"p"}})
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/admin", map[string]any{"policies": []string{"d"}, "includes": []string{"staff"}})
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/groups/ops", map[string]any{})
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/users/1", map[string]any{"attributes": map[string]any{"dept": "7"}, "groups": []string{"ops"}})
	tb.must(http.StatusCreated, "POST", "/v1/stores/default/role-mappings", map[string]any{"principal_type": "USER", "principal_id": "1", "role": "admin"})
	tb.must(http.StatusCreated, "POST", "/v1/stores/default/role-mappings", map[string]any{"principal_type": "GROUP", "principal_id": "ops", "role": "staff"})
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/claim-rules/r", map[string]any{"claim": "groups", "op": "contains", "value": "admins", "role": "admin", "description": "<admins> & co"})
	st, err := ts.srv.storeState(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	return ts, st.snapshot()
}

// checkRecordEncoding decides in on d and asserts that the hand-written
// encoder writes what encoding/json writes for the same record.
func checkRecordEncoding(t *testing.T, d *directory.Directory, in *directory.CheckInput, explain bool) {
	t.Helper()
	var rec *decisionRecord
	if explain {
		x := d.Explain(in)
		if x.Explanation == nil {
			return
		}
		resp := explanationOf(x, in.Fields)
		rec = &decisionRecord{endpoint: epExplain, caller: "key:k<1>", in: in, resolution: x.Resolution,
			decision: x.Explanation.Decision, statements: resp.Statements, fields: x.Explanation.Fields, revision: x.Revision}
	} else {
		res := d.Check(in)
		rec = &decisionRecord{endpoint: epBatch, caller: "admin", in: in, resolution: res.Resolution,
			decision: res.Decision, fields: res.Fields, revision: d.Revision()}
	}
	got, err := rec.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	rj := rec.recordJSON()
	want, err := json.Marshal(&rj)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("record encoder disagrees with encoding/json:\n got  %s\n want %s", got, want)
	}
}

func TestRecordEncoderAgreesWithEncodingJSON(t *testing.T) {
	_, d := recordFixture(t)
	at := time.Date(2026, 11, 28, 10, 0, 0, 123000000, time.UTC)
	inputs := []directory.CheckInput{
		{Subject: directory.Subject{Type: "user", ID: "1"}, Action: "orders:Read", Resource: engine.Resource{Name: "orders:acme/1"}, Now: at},
		{Subject: directory.Subject{Type: "user", ID: "1", Attributes: map[string]engine.Values{"b": {"x"}, "a": {"1", "2"}, "z": nil}},
			Action: "orders:Delete", Resource: engine.Resource{Name: "orders:acme/1", Type: "order", Attributes: map[string]engine.Values{"owner": {"1"}}},
			Context: map[string]engine.Values{"app:q": {"<script>&\"\\\u2028\u2029\x00\x1f\x7f é"}, "app:e": {}},
			Fields:  []string{"email", "name", "email"}, IP: "10.0.0.1", Now: at},
		{Subject: directory.Subject{Type: "user", ID: "7", Groups: []string{"ops"}, Roles: []string{"asserted"},
			Claims: map[string]engine.Values{"groups": {"admins"}, "sub": {"7"}}, Issuer: "idp"},
			Action: "orders:Read", Resource: engine.Resource{Name: "orders:x#\xff\xfe"}, Now: at},
		{Subject: directory.Subject{}, Action: "orders:Read", Resource: engine.Resource{Name: "orders:1"}},
		{Subject: directory.Subject{Type: "app", ID: "svc\t\n\r\b\f"}, Action: "x:Y", Resource: engine.Resource{Name: "*"}, Now: at.In(time.FixedZone("X", 3600))},
	}
	for i := range inputs {
		checkRecordEncoding(t, d, &inputs[i], false)
		checkRecordEncoding(t, d, &inputs[i], true)
	}
}

func FuzzRecordEncoder(f *testing.F) {
	f.Add("1", "orders:Read", "orders:acme/1", "k", "v", "email", "10.0.0.1", int64(0))
	f.Add("7", "orders:Delete", "<&>", "app:\u2028", "\xff", "", "", int64(-62135596800))
	f.Fuzz(func(t *testing.T, id, action, resource, key, value, field, ip string, sec int64) {
		_, d := recordFixture(t)
		in := &directory.CheckInput{Subject: directory.Subject{Type: "user", ID: id, Attributes: map[string]engine.Values{key: {value}}},
			Action: action, Resource: engine.Resource{Name: resource, Attributes: map[string]engine.Values{"owner": {value}}},
			Context: map[string]engine.Values{key: {value, id}}, IP: ip, Now: time.Unix(sec, 0).UTC()}
		if field != "" {
			in.Fields = []string{field}
		}
		checkRecordEncoding(t, d, in, false)
		checkRecordEncoding(t, d, in, true)
	})
}
