package policy

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestMarshalCanonical checks key order, indentation, kept string-or-list
// forms and typed condition values.
func TestMarshalCanonical(t *testing.T) {
	src := `
Statement:
  - Condition:
      Bool: {aws:SecureTransport: true}
      NumericLessThan: {n: [1, 2.5]}
      StringEquals: {s: "10"}
    Resource: [r]
    Action: a
    Principal: {User: alice, Role: [admin]}
    Effect: Deny
    Sid: S
  - Effect: Allow
    NotPrincipal: "*"
    NotAction: []
    NotResource: "*"
Id: my-id
Version: "2012-10-17"
`
	want := `{
  "Version": "2012-10-17",
  "Id": "my-id",
  "Statement": [
    {
      "Sid": "S",
      "Effect": "Deny",
      "Principal": {
        "User": "alice",
        "Role": [
          "admin"
        ]
      },
      "Action": "a",
      "Resource": [
        "r"
      ],
      "Condition": {
        "Bool": {
          "aws:SecureTransport": true
        },
        "NumericLessThan": {
          "n": [
            1,
            2.5
          ]
        },
        "StringEquals": {
          "s": "10"
        }
      }
    },
    {
      "Effect": "Allow",
      "NotPrincipal": "*",
      "NotAction": [],
      "NotResource": "*"
    }
  ]
}`
	d := mustParse(t, "p.yaml", src)
	if got := mustMarshal(t, d); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// The output is what encoding/json accepts, and survives being embedded.
	if !json.Valid([]byte(want)) {
		t.Fatal("output is not valid JSON")
	}
	if b, err := json.Marshal(struct{ P *Document }{d}); err != nil || !strings.HasPrefix(string(b), `{"P":{"Version":"2012-10-17","Id":"my-id"`) {
		t.Errorf("embedded: %s %v", b, err)
	}
}

// TestMarshalRoundTrip checks parse → marshal → parse gives an equal
// document and a stable text, for both written forms of each element.
func TestMarshalRoundTrip(t *testing.T) {
	srcs := []string{
		`{"Statement": {"Effect": "Allow", "Action": "a"}}`,
		`{"Statement": [{"Effect": "Allow", "Action": ["a"], "Resource": [], "NotResource": ["x", "y"]}]}`,
		`{"Version": "2008-10-17", "Statement": [], "Id": ""}`,
		`{"Statement": {"Sid": "", "Effect": "Deny", "Principal": {}, "NotAction": "*", "Condition": {}}}`,
		`{"Statement": {"Effect": "Deny", "Principal": {"AWS": [], "User": "u"}, "Condition": {"StringEquals": {}}}}`,
		`{"Statement": {"Effect": "Allow", "Condition": {"StringLike": {"k": ["a", 1, false, -0.0e-0], "l": []}}}}`,
		`{"Statement": {"Effect": "Allow", "Action": "\u0000\u001f\"\\\/\u2028<>&é😀"}}`,
		"Statement: {Effect: Allow, Condition: {NumericEquals: {n: 0x10, m: .5, k: [1e3, 7]}}}",
	}
	for _, src := range srcs {
		file := "p.json"
		if !strings.HasPrefix(src, "{") {
			file = "p.yaml"
		}
		d1 := mustParse(t, file, src)
		out1 := mustMarshal(t, d1)
		d2 := mustParse(t, "q.json", out1)
		if !Equal(d1, d2) {
			t.Errorf("%s: reparse differs:\n%s\n%s", src, out1, mustMarshal(t, d2))
		}
		if out2 := mustMarshal(t, d2); out2 != out1 {
			t.Errorf("%s: marshal not stable:\n%s\n%s", src, out1, out2)
		}
	}
}

// TestMarshalBuiltInCode checks documents built without Parse: zero IsList
// flags, canonical operator names from Op, and values that cannot be
// written.
func TestMarshalBuiltInCode(t *testing.T) {
	d := &Document{Statements: []*Statement{{
		Effect:   Allow,
		Action:   []Str{{Value: "a"}, {Value: "b"}},
		Resource: []Str{{Value: "r"}},
		Conditions: []*Condition{
			{Op: Operator{Base: OpStringEquals, IfExists: true}, Key: Str{Value: "k"}, Values: []Str{{Value: "v"}}},
			{Op: Operator{Base: OpNumericLessThan}, Key: Str{Value: "n"}, Values: []Str{{Value: "3", Kind: KindNumber}}},
		},
	}}}
	got := mustMarshal(t, d)
	want := `{"Statement":{"Effect":"Allow","Action":["a","b"],"Resource":"r","Condition":{"StringEqualsIfExists":{"k":"v"},"NumericLessThan":{"n":3}}}}`
	if compact(t, got) != want {
		t.Errorf("got %s\nwant %s", compact(t, got), want)
	}
	if !Equal(d, mustParse(t, "p.json", got)) {
		t.Error("not equal to its reparse")
	}

	bad := []*Document{
		{Statements: []*Statement{{Conditions: []*Condition{{Key: Str{Value: "k"}, Values: []Str{{Value: "ten", Kind: KindNumber}}}}}}},
		{Statements: []*Statement{{Conditions: []*Condition{{Key: Str{Value: "k"}, Values: []Str{{Value: "yes", Kind: KindBool}}}}}}},
		{Statements: []*Statement{nil}},
		{Statements: []*Statement{{Conditions: []*Condition{
			{Operator: Str{Value: "Bool"}, Key: Str{Value: "k"}, Values: []Str{{Value: "true", Kind: KindBool}}},
			{Operator: Str{Value: "Bool"}, Key: Str{Value: "k"}, Values: []Str{{Value: "false", Kind: KindBool}}},
		}}}},
	}
	for i, d := range bad {
		if b, err := d.MarshalJSON(); err == nil {
			t.Errorf("bad %d: no error, got %s", i, b)
		}
	}
	var nilDoc *Document
	if b, err := nilDoc.MarshalJSON(); err != nil || string(b) != "null" {
		t.Errorf("nil document: %s %v", b, err)
	}
	// Invalid UTF-8 (possible only in code) is replaced, as encoding/json does.
	d = &Document{Statements: []*Statement{{Effect: Allow, Action: []Str{{Value: "a\xffb"}}}}}
	if got := compact(t, mustMarshal(t, d)); !strings.Contains(got, `"a\ufffdb"`) {
		t.Errorf("invalid UTF-8: %s", got)
	}
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		t.Fatalf("invalid JSON %s: %v", s, err)
	}
	return buf.String()
}

// TestEqual checks what Equal compares and what it ignores.
func TestEqual(t *testing.T) {
	base := `{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "a", "Resource": ["r"],
		"Principal": {"User": "u"}, "Condition": {"NumericEquals": {"n": 1}}}]}`
	a := mustParse(t, "a.json", base)
	// Same policy, other layout, other file, other format: equal.
	b := mustParse(t, "b.yaml", "Version: 2012-10-17\nStatement:\n- {Sid: A, Effect: Allow, Action: a, Resource: [r], Principal: {User: u}, Condition: {NumericEquals: {n: 1}}}\n")
	if !Equal(a, b) {
		t.Error("same policy in JSON and YAML not equal")
	}
	if !Equal(nil, nil) || Equal(a, nil) || Equal(nil, a) {
		t.Error("nil handling")
	}
	differ := []string{
		strings.Replace(base, `"Version": "2012-10-17", `, ``, 1),
		strings.Replace(base, `"Sid": "A"`, `"Sid": "B"`, 1),
		strings.Replace(base, `"Allow"`, `"Deny"`, 1),
		strings.Replace(base, `"Action": "a"`, `"Action": ["a"]`, 1),
		strings.Replace(base, `"Action": "a"`, `"NotAction": "a"`, 1),
		strings.Replace(base, `"Resource": ["r"]`, `"Resource": "r"`, 1),
		strings.Replace(base, `"Resource": ["r"]`, `"Resource": []`, 1),
		strings.Replace(base, `"Resource": ["r"],`, ``, 1),
		strings.Replace(base, `{"User": "u"}`, `{"User": ["u"]}`, 1),
		strings.Replace(base, `{"User": "u"}`, `{"Role": "u"}`, 1),
		strings.Replace(base, `{"User": "u"}`, `"*"`, 1),
		strings.Replace(base, `"Principal"`, `"NotPrincipal"`, 1),
		strings.Replace(base, `"n": 1`, `"n": "1"`, 1),
		strings.Replace(base, `"n": 1`, `"n": 1.0`, 1),
		strings.Replace(base, `"n": 1`, `"n": [1]`, 1),
		strings.Replace(base, `"n": 1`, `"m": 1`, 1),
		strings.Replace(base, `NumericEquals`, `NumericEqualsIfExists`, 1),
		strings.Replace(strings.Replace(base, `[{`, `{`, 1), `}]}`, `}}`, 1),
	}
	for _, src := range differ {
		d := mustParse(t, "d.json", src)
		if Equal(a, d) {
			t.Errorf("equal, want different:\n%s", src)
		}
	}
}
