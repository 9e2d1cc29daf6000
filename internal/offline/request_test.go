package offline

import (
	"reflect"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/engine"
)

func TestParseRequestFull(t *testing.T) {
	// The request file of API.md §4.
	data := `{"principal": {"type": "user", "id": "alice", "roles": ["admin"], "attributes": {"dept": "7"}},
 "claims": {"sub": "4fbf0c06", "custom:org": "acme", "address": {"country": "NZ"}},
 "action": "orders:Read",
 "resource": {"name": "orders:acme/17", "attributes": {"owner": "alice"}},
 "fields": ["email", "firstName"],
 "context": {"aws:SourceIp": "10.0.0.7", "dynamodb:LeadingKeys": ["acme"], "n": 10}}`
	r, err := ParseRequest("r.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := &Request{
		Engine: engine.Request{
			Principal: engine.Principal{Type: "user", ID: "alice", Roles: []string{"admin"},
				Attributes: map[string]engine.Values{"dept": {"7"}}},
			Action:   "orders:Read",
			Resource: engine.Resource{Name: "orders:acme/17", Attributes: map[string]engine.Values{"owner": {"alice"}}},
			Claims: map[string]engine.Values{"sub": {"4fbf0c06"}, "custom:org": {"acme"},
				"address.country": {"NZ"}},
			Context: map[string]engine.Values{"aws:SourceIp": {"10.0.0.7"},
				"dynamodb:LeadingKeys": {"acme"}, "n": {"10"}},
		},
		Fields: []string{"email", "firstName"},
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got  %+v\nwant %+v", r, want)
	}
}

func TestParseRequestShortForms(t *testing.T) {
	// API.md §4: principal may be a plain id, resource a plain name; the
	// principal's type defaults to user. YAML has the same structure.
	r, err := ParseRequest("r.yaml", []byte("principal: bob\naction: s3:GetObject\nresource: arn:aws:s3:::b/k\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Engine.Principal; got.Type != "user" || got.ID != "bob" {
		t.Errorf("principal = %+v", got)
	}
	if r.Engine.Resource.Name != "arn:aws:s3:::b/k" {
		t.Errorf("resource = %+v", r.Engine.Resource)
	}
	// No principal: anonymous.
	r, err = ParseRequest("r.yaml", []byte("action: s3:GetObject\nresource: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Engine.Principal.Type != "" {
		t.Errorf("anonymous principal has type %q", r.Engine.Principal.Type)
	}
}

func TestParseRequestErrors(t *testing.T) {
	tests := []struct{ name, file, data, want string }{
		{"unknown top-level field", "r.json", `{"action":"a","resource":"r","princpal":"x"}`,
			`r.json:1:30: request: unknown field "princpal"`},
		{"unknown principal field", "r.yaml", "principal: {id: a, role: admin}\naction: a\nresource: r\n",
			`r.yaml:1:20: request.principal: unknown field "role"`},
		{"missing action", "r.json", `{"resource":"r"}`, `request: missing "action"`},
		{"missing resource", "r.json", `{"action":"a"}`, `request: missing "resource"`},
		{"action not a string", "r.json", `{"action":["a"],"resource":"r"}`, "request.action: want a string, got a list"},
		{"bad principal type", "r.json", `{"principal":{"type":"USER","id":"a"},"action":"a","resource":"r"}`,
			`"USER" is not a principal type`},
		{"principal without id", "r.json", `{"principal":{"roles":["a"]},"action":"a","resource":"r"}`,
			`request.principal: missing "id"`},
		{"resource without name", "r.json", `{"action":"a","resource":{"type":"t"}}`, `request.resource: missing "name"`},
		{"null context value", "r.json", `{"action":"a","resource":"r","context":{"k":null}}`,
			`request.context["k"]: null is not a condition value`},
		{"object context value", "r.json", `{"action":"a","resource":"r","context":{"k":{"a":1}}}`,
			`an object is not a condition value`},
		{"context keys differ in case", "r.json", `{"action":"a","resource":"r","context":{"aws:SourceIp":"1","aws:sourceip":"2"}}`,
			`differ only in case`},
		{"fields not a list", "r.json", `{"action":"a","resource":"r","fields":"email"}`, "request.fields: want a list"},
		{"duplicate field", "r.json", `{"action":"a","resource":"r","fields":["a","a"]}`, `request.fields[1]: "a" listed twice`},
		{"claims list of objects", "r.json", `{"action":"a","resource":"r","claims":{"p":[{}]}}`, `claim "p"`},
		{"not an object", "r.json", `["a"]`, "request: want an object, got a list"},
		{"duplicate key", "r.json", `{"action":"a","action":"b"}`, `duplicate key "action"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRequest(tt.file, []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want containing %q", err, tt.want)
			}
		})
	}
}

func TestParseRequestReportsAllErrors(t *testing.T) {
	_, err := ParseRequest("r.json", []byte("{\"x\": 1,\n \"action\": 2,\n \"resource\": 3}"))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d errors, want 3:\n%v", len(lines), err)
	}
	for i, prefix := range []string{"r.json:1:2:", "r.json:2:12:", "r.json:3:14:"} {
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("error %d = %q, want prefix %q", i, lines[i], prefix)
		}
	}
}

func TestStatementString(t *testing.T) {
	if got := (Statement{File: "policy.json", Index: 0, Sid: "AdminAll"}).String(); got != `policy.json#0 "AdminAll"` {
		t.Errorf("got %s", got)
	}
	if got := (Statement{File: "p.yaml", Index: 3}).String(); got != `p.yaml#3` {
		t.Errorf("got %s", got)
	}
}
