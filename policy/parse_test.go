package policy

import (
	"fmt"
	"strings"
	"testing"
)

// codesAt formats findings compactly as "line:col code pointer" for tests.
func codesAt(fs Findings) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%d:%d %s %s", f.Line, f.Col, f.Code, f.Pointer)
	}
	return out
}

func mustParse(t *testing.T, file, src string) *Document {
	t.Helper()
	doc, fs := Parse(file, []byte(src))
	if len(fs) > 0 {
		t.Fatalf("Parse(%s) findings:\n%v", file, fs)
	}
	if doc == nil {
		t.Fatalf("Parse(%s) = nil document", file)
	}
	return doc
}

func values(ss []Str) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Value
	}
	return out
}

func sameStrings(a, b []string) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestParseElementForms checks that every element IAM accepts as "a string
// or a list of strings" accepts both (IAM User Guide, "Grammar of the IAM
// JSON policy language": action_string_list, resource_string_list,
// principal_id_string_list, condition_value_list), that Statement may be an
// object or an array, and that the written form is recorded.
func TestParseElementForms(t *testing.T) {
	tests := []struct {
		name, src string
		check     func(t *testing.T, d *Document)
	}{
		{"lone statement object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
			func(t *testing.T, d *Document) {
				if d.StatementIsList || len(d.Statements) != 1 || d.Statements[0].Path != "/Statement" {
					t.Errorf("got list=%v n=%d path=%q", d.StatementIsList, len(d.Statements), d.Statements[0].Path)
				}
				st := d.Statements[0]
				if st.ActionIsList || !sameStrings(values(st.Action), []string{"s3:GetObject"}) || st.ResourceIsList {
					t.Errorf("Action %v list=%v", values(st.Action), st.ActionIsList)
				}
			}},
		{"statement list", `{"Statement":[{"Effect":"Deny","NotAction":["a","b"],"NotResource":["r"]},{"Effect":"Allow","Action":[],"Resource":"*"}]}`,
			func(t *testing.T, d *Document) {
				if !d.StatementIsList || len(d.Statements) != 2 {
					t.Fatalf("list=%v n=%d", d.StatementIsList, len(d.Statements))
				}
				s0, s1 := d.Statements[0], d.Statements[1]
				if s0.Effect != Deny || !sameStrings(values(s0.NotAction), []string{"a", "b"}) || !s0.NotActionIsList ||
					!s0.NotResourceIsList || s0.Action != nil || s0.Resource != nil {
					t.Errorf("statement 0: %+v", s0)
				}
				if s1.Index != 1 || s1.Path != "/Statement/1" || s1.Action == nil || len(s1.Action) != 0 || !s1.ActionIsList {
					t.Errorf("statement 1: Action %#v (want empty, non-nil)", s1.Action)
				}
			}},
		{"principal forms", `{"Statement":[
			{"Effect":"Allow","Principal":"*","Action":"a"},
			{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"a"},
			{"Effect":"Allow","NotPrincipal":{"User":["alice","bob"],"Role":"admin"},"Action":"a"}]}`,
			func(t *testing.T, d *Document) {
				if p := d.Statements[0].Principal; p == nil || !p.Any || p.Path != "/Statement/0/Principal" {
					t.Errorf("Principal \"*\": %+v", p)
				}
				// {"AWS": "*"} stays an entry: IAM treats it like "*" only
				// for AWS accounts, and Validate decides what it means here.
				if p := d.Statements[1].Principal; p == nil || p.Any || len(p.Entries) != 1 || p.Entries[0].Type.Value != "AWS" ||
					!sameStrings(values(p.Entries[0].IDs), []string{"*"}) || p.Entries[0].IDsIsList {
					t.Errorf("Principal {AWS: *}: %+v", p)
				}
				p := d.Statements[2].NotPrincipal
				if p == nil || len(p.Entries) != 2 || p.Entries[0].Type.Value != "User" || !p.Entries[0].IDsIsList ||
					p.Entries[1].Type.Value != "Role" || p.Entries[1].IDsIsList || p.Entries[1].IDs[0].Path != "/Statement/2/NotPrincipal/Role" {
					t.Errorf("NotPrincipal: %+v", p)
				}
			}},
		{"condition values", `{"Statement":{"Effect":"Allow","Action":"a","Condition":{
			"NumericLessThan":{"aws:MultiFactorAuthAge":"3600","n":10,"f":-1.5e3},
			"Bool":{"aws:SecureTransport":true},
			"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*","b"],"empty":[]}}}}`,
			func(t *testing.T, d *Document) {
				cs := d.Statements[0].Conditions
				want := []struct {
					op, key string
					vals    []string
					kind    ScalarKind
					list    bool
				}{
					{"NumericLessThan", "aws:MultiFactorAuthAge", []string{"3600"}, KindString, false},
					{"NumericLessThan", "n", []string{"10"}, KindNumber, false},
					{"NumericLessThan", "f", []string{"-1.5e3"}, KindNumber, false},
					{"Bool", "aws:SecureTransport", []string{"true"}, KindBool, false},
					{"ForAnyValue:StringLikeIfExists", "aws:TagKeys", []string{"a*", "b"}, KindString, true},
					{"ForAnyValue:StringLikeIfExists", "empty", []string{}, KindString, true},
				}
				if len(cs) != len(want) {
					t.Fatalf("got %d conditions, want %d", len(cs), len(want))
				}
				for i, w := range want {
					c := cs[i]
					if c.Operator.Value != w.op || c.Key.Value != w.key || !sameStrings(values(c.Values), w.vals) || c.ValuesIsList != w.list {
						t.Errorf("condition %d: %s %s %v list=%v", i, c.Operator.Value, c.Key.Value, values(c.Values), c.ValuesIsList)
					}
					for _, v := range c.Values {
						if v.Kind != w.kind {
							t.Errorf("condition %d value %q kind %d, want %d", i, v.Value, v.Kind, w.kind)
						}
					}
				}
				if op := cs[4].Op; op.Base != OpStringLike || op.Set != ForAnyValue || !op.IfExists {
					t.Errorf("parsed operator %+v", op)
				}
			}},
		{"positions and pointers", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"S1\", \"Effect\": \"Allow\",\n     \"Action\": [\"s3:Get*\", \"é/~x\"],\n     \"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/a~b\": \"v\"}}}\n  ]\n}",
			func(t *testing.T, d *Document) {
				if d.VersionPos != (Pos{2, 14}) {
					t.Errorf("VersionPos %v", d.VersionPos)
				}
				st := d.Statements[0]
				if st.Pos != (Pos{4, 5}) || st.SidPos != (Pos{4, 13}) {
					t.Errorf("statement Pos %v SidPos %v", st.Pos, st.SidPos)
				}
				if a := st.Action[1]; a.Pos != (Pos{5, 28}) || a.Path != "/Statement/0/Action/1" {
					t.Errorf("Action[1] %v %q", a.Pos, a.Path)
				}
				c := st.Conditions[0]
				if c.Operator.Pos != (Pos{6, 20}) || c.Operator.Path != "/Statement/0/Condition/StringEquals" {
					t.Errorf("operator %v %q", c.Operator.Pos, c.Operator.Path)
				}
				if c.Key.Path != "/Statement/0/Condition/StringEquals/aws:PrincipalTag~1a~0b" || c.Values[0].Path != c.Key.Path {
					t.Errorf("key path %q value path %q", c.Key.Path, c.Values[0].Path)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustParse(t, "p.json", tt.src)
			if d.Format != FormatJSON || d.File != "p.json" {
				t.Errorf("Format %v File %q", d.Format, d.File)
			}
			tt.check(t, d)
		})
	}
}

// TestParseFindings checks the code, position and pointer of each
// structural error Parse reports. IAM rejects each of these documents.
func TestParseFindings(t *testing.T) {
	tests := []struct {
		name, file, src string
		want            []string // "line:col code pointer"
		nilDoc          bool
	}{
		{"syntax: trailing comma", "p.json", "{\"Statement\": [1,]}", []string{"1:18 policy.syntax /Statement"}, true},
		{"syntax: single quotes", "p.json", "{'Statement': 1}", []string{"1:2 policy.syntax "}, true},
		{"syntax: unclosed", "p.json", "{\"Statement\": [\n", []string{"2:1 policy.syntax /Statement"}, true},
		{"syntax: garbage after", "p.json", "{} {}", []string{"1:4 policy.syntax "}, true},
		{"not an object", "p.json", "[1]", []string{"1:1 policy.wrong_type "}, true},
		{"empty file", "p.json", "  ", []string{"1:3 policy.syntax "}, true},
		// IAM: "Statement" is required (IAM JSON policy elements: Statement).
		{"no statement", "p.json", `{"Version": "2012-10-17"}`, []string{"1:1 policy.missing_element "}, false},
		// Element names are case-sensitive in IAM; the case fix is suggested
		// instead of also reporting Statement as missing.
		{"statement case", "p.json", `{"statement": []}`, []string{"1:2 policy.unknown_element /statement"}, false},
		{"unknown top-level", "p.json", `{"Statement": [], "Foo": 1}`, []string{"1:19 policy.unknown_element /Foo"}, false},
		{"statement element at top", "p.json", `{"Statement": [], "Effect": "Allow"}`, []string{"1:19 policy.unknown_element /Effect"}, false},
		{"version wrong type", "p.json", `{"Version": 2012, "Id": [], "Statement": []}`,
			[]string{"1:13 policy.wrong_type /Version", "1:25 policy.wrong_type /Id"}, false},
		{"statement wrong type", "p.json", `{"Statement": "Allow"}`, []string{"1:15 policy.wrong_type /Statement"}, false},
		{"statement element wrong type", "p.json", `{"Statement": [null]}`, []string{"1:16 policy.wrong_type /Statement/0"}, false},
		// IAM: Effect is required and is exactly Allow or Deny.
		{"missing effect", "p.json", `{"Statement": {"Action": "a"}}`, []string{"1:15 policy.missing_element /Statement"}, false},
		{"effect case", "p.json", `{"Statement": {"Effect": "deny"}}`, []string{"1:26 policy.bad_effect /Statement/Effect"}, false},
		{"effect other", "p.json", `{"Statement": {"Effect": "Permit"}}`, []string{"1:26 policy.bad_effect /Statement/Effect"}, false},
		{"effect wrong type", "p.json", `{"Statement": {"Effect": true}}`, []string{"1:26 policy.wrong_type /Statement/Effect"}, false},
		{"effect key case", "p.json", `{"Statement": {"effect": "Allow"}}`, []string{"1:16 policy.unknown_element /Statement/effect"}, false},
		{"unknown statement element", "p.json", `{"Statement": {"Effect": "Allow", "Resources": "*"}}`,
			[]string{"1:35 policy.unknown_element /Statement/Resources"}, false},
		{"action wrong type", "p.json", `{"Statement": {"Effect": "Allow", "Action": 1}}`, []string{"1:45 policy.wrong_type /Statement/Action"}, false},
		{"action null", "p.json", `{"Statement": {"Effect": "Allow", "Action": null}}`, []string{"1:45 policy.wrong_type /Statement/Action"}, false},
		{"action element wrong type", "p.json", `{"Statement": {"Effect": "Allow", "Action": ["a", ["b"]]}}`,
			[]string{"1:51 policy.wrong_type /Statement/Action/1"}, false},
		{"empty action", "p.json", `{"Statement": {"Effect": "Allow", "Action": "", "Resource": ["*", ""]}}`,
			[]string{"1:45 policy.empty_value /Statement/Action", "1:67 policy.empty_value /Statement/Resource/1"}, false},
		{"duplicate key", "p.json", `{"Statement": {"Effect": "Allow", "Effect": "Deny"}}`, []string{"1:35 policy.duplicate_key /Statement/Effect"}, false},
		{"principal string", "p.json", `{"Statement": {"Effect": "Allow", "Principal": "alice"}}`, []string{"1:48 policy.bad_principal /Statement/Principal"}, false},
		{"principal wrong type", "p.json", `{"Statement": {"Effect": "Allow", "NotPrincipal": ["*"]}}`, []string{"1:51 policy.wrong_type /Statement/NotPrincipal"}, false},
		{"principal ids", "p.json", `{"Statement": {"Effect": "Allow", "Principal": {"User": [1, ""], "": "x"}}}`,
			[]string{"1:58 policy.wrong_type /Statement/Principal/User/0", "1:61 policy.empty_value /Statement/Principal/User/1", "1:66 policy.empty_value /Statement/Principal/"}, false},
		{"condition wrong type", "p.json", `{"Statement": {"Effect": "Allow", "Condition": []}}`, []string{"1:48 policy.wrong_type /Statement/Condition"}, false},
		// IAM: operator names are case-sensitive (IAM JSON policy elements:
		// Condition operators).
		{"unknown operator", "p.json", `{"Statement": {"Effect": "Allow", "Condition": {"stringequals": {"k": "v"}}}}`,
			[]string{"1:49 policy.unknown_operator /Statement/Condition/stringequals"}, false},
		{"operator block wrong type", "p.json", `{"Statement": {"Effect": "Allow", "Condition": {"Bool": true}}}`,
			[]string{"1:57 policy.wrong_type /Statement/Condition/Bool"}, false},
		{"condition value types", "p.json", `{"Statement": {"Effect": "Allow", "Condition": {"Bool": {"a": null, "b": [{}], "": "x"}}}}`,
			[]string{"1:63 policy.wrong_type /Statement/Condition/Bool/a", "1:75 policy.wrong_type /Statement/Condition/Bool/b/0", "1:80 policy.empty_value /Statement/Condition/Bool/"}, false},
		// YAML: the same grammar, with YAML's types.
		{"yaml quoted number is a string", "p.yaml", "Statement:\n  Effect: Allow\n  Sid: \"10\"\n", nil, false},
		{"yaml bare number", "p.yaml", "Statement:\n  Effect: Allow\n  Sid: 10\n", []string{"3:8 policy.wrong_type /Statement/Sid"}, false},
		{"yaml non-string key", "p.yaml", "Statement:\n  Effect: Allow\n  10: x\n", []string{"3:3 policy.wrong_type /Statement"}, false},
		{"yaml null action", "p.yaml", "Statement:\n  Effect: Allow\n  Action:\n", []string{"3:10 policy.wrong_type /Statement/Action"}, false},
		{"yaml duplicate key", "p.yaml", "Statement:\n  Effect: Allow\n  Effect: Deny\n", []string{"3:3 policy.duplicate_key /Statement/Effect"}, false},
		{"yaml two documents", "p.yaml", "Statement: []\n---\nStatement: []\n", []string{"2:1 policy.syntax "}, false},
		// The YAML library gives only a line: here, where the list starts.
		{"yaml syntax", "p.yaml", "Statement:\n  - Effect: Allow\n   Action: x\n", []string{"2:1 policy.syntax "}, true},
		{"yaml syntax scanner", "p.yaml", "Statement:\n  Effect: Allow\n  Action: x: y\n", []string{"3:1 policy.syntax "}, true},
		{"yaml scalar document", "p.yaml", "hello\n", []string{"1:1 policy.wrong_type "}, true},
		{"invalid utf-8", "p.json", "{\"Statement\": \"\xff\"}", []string{"1:16 policy.syntax "}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, fs := Parse(tt.file, []byte(tt.src))
			got := codesAt(fs)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s\nfull:\n%v", strings.Join(got, "\n"), strings.Join(tt.want, "\n"), fs)
			}
			if (doc == nil) != tt.nilDoc {
				t.Errorf("document nil = %v, want %v", doc == nil, tt.nilDoc)
			}
			for _, f := range fs {
				if f.File != tt.file || f.Severity != SeverityError || f.Message == "" {
					t.Errorf("finding %+v: want File %q, an error and a message", f, tt.file)
				}
			}
		})
	}
}

// TestParseMessages checks that messages say what to do.
func TestParseMessages(t *testing.T) {
	tests := []struct{ src, want string }{
		{`{"Statement": {"Effect": "allow"}}`, `did you mean "Allow"?`},
		{`{"Statement": {"Effect": "Allow", "Action": 3}}`, `Action must be a string or a list of strings, found a number`},
		{`{"Statement": {"Effect": "Allow", "effect": "Allow"}}`, `did you mean "Effect"?`},
		{`{"Statment": []}`, `did you mean "Statement"?`},
		{`{"Statement": {"Effect": "Allow", "Condition": {"StringEqual": {"k": "v"}}}}`, `did you mean "StringEquals"?`},
		{`{"Statement": {"Effect": "Allow", "Condition": {"forallvalues:stringlike": {"k": "v"}}}}`, `did you mean "ForAllValues:StringLike"?`},
		{`{"Statement": {"Effect": "Allow", "Condition": {"NumericEqual": {"k": "v"}}}}`, `did you mean "NumericEquals"?`},
		{`{"Statement": {"Effect": "Allow", "Condition": {"NullIfExists": {"k": "true"}}}}`, `use Null`},
		{`{"Statement": {"Effect": "Allow", "Action": ""}}`, `name an action such as`},
		{"{\"a\": 1,\n \"a\": 2}", `first at line 1, col 2`},
		{"{\"Statement\": [\n", `the list opened at line 1, col 15 is not closed`},
	}
	for _, tt := range tests {
		_, fs := Parse("p.json", []byte(tt.src))
		if !strings.Contains(fs.Error(), tt.want) {
			t.Errorf("Parse(%s):\n%v\nwant a message containing %q", tt.src, fs, tt.want)
		}
	}
}

// TestDetectFormat checks the format rule: the extension decides, else the
// first non-space byte.
func TestDetectFormat(t *testing.T) {
	tests := []struct {
		file, src string
		want      Format
	}{
		{"p.json", "Statement: []", FormatJSON},
		{"p.yaml", `{"Statement": []}`, FormatYAML},
		{"p.YML", `{}`, FormatYAML},
		{"-", " \n\t{\"Statement\": []}", FormatJSON},
		{"policy", "Statement: []", FormatYAML},
		{"", "\xef\xbb\xbf{}", FormatJSON},
	}
	for _, tt := range tests {
		data := []byte(tt.src)
		if got := detectFormat(tt.file, trimBOM(data)); got != tt.want {
			t.Errorf("detectFormat(%q, %q) = %v, want %v", tt.file, tt.src, got, tt.want)
		}
	}
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && string(b[:3]) == "\xef\xbb\xbf" {
		return b[3:]
	}
	return b
}

// TestParseYAMLAndJSONAgree checks that the same policy in JSON and in YAML
// gives equal documents.
func TestParseYAMLAndJSONAgree(t *testing.T) {
	j := mustParse(t, "p.json", `{"Version": "2012-10-17", "Id": "x", "Statement": [
		{"Sid": "A", "Effect": "Allow", "Principal": {"User": ["alice"], "Role": "admin"},
		 "Action": ["orders:Read", "orders:List"], "Resource": "orders:acme/*",
		 "Condition": {"StringEquals": {"jwt:custom:org": "acme"}, "NumericLessThan": {"n": 10}, "Bool": {"b": false}}}]}`)
	y := mustParse(t, "p.yaml", `
Version: 2012-10-17
Id: x
Statement:
  - Sid: A
    Effect: Allow
    Principal:
      User: [alice]
      Role: admin
    Action:
      - orders:Read
      - orders:List
    Resource: orders:acme/*
    Condition:
      StringEquals: {jwt:custom:org: acme}
      NumericLessThan: {n: 10}
      Bool: {b: false}
`)
	if !Equal(j, y) {
		t.Errorf("JSON and YAML documents differ:\n%s\n%s", mustMarshal(t, j), mustMarshal(t, y))
	}
	if y.Format != FormatYAML {
		t.Errorf("Format = %v", y.Format)
	}
}

// TestParseLimits checks each limit in limits.go gives its own finding and
// no crash.
func TestParseLimits(t *testing.T) {
	t.Run("too large", func(t *testing.T) {
		data := make([]byte, MaxDocumentBytes+1)
		doc, fs := Parse("big.json", data)
		if doc != nil || len(fs) != 1 || fs[0].Code != CodeTooLarge {
			t.Errorf("got %v", fs)
		}
	})
	t.Run("too many statements", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"Statement": [`)
		for i := range MaxStatements + 1 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"Effect":"Allow"}`)
		}
		b.WriteString(`]}`)
		doc, fs := Parse("p.json", []byte(b.String()))
		if len(fs) != 1 || fs[0].Code != CodeTooManyStatements || fs[0].Pointer != "/Statement" {
			t.Fatalf("got %v", fs)
		}
		if doc == nil || len(doc.Statements) != MaxStatements {
			t.Errorf("kept %d statements, want the first %d", len(doc.Statements), MaxStatements)
		}
	})
	t.Run("too many elements", func(t *testing.T) {
		for _, format := range []string{"json", "yaml"} {
			var b strings.Builder
			b.WriteString(`{"Statement": {"Effect": "Allow", "Action": [`)
			for i := range MaxElementsPerList + 5 {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`"a"`)
			}
			b.WriteString(`]}}`)
			doc, fs := Parse("p."+format, []byte(b.String()))
			if len(fs) != 1 || fs[0].Code != CodeTooManyElements || fs[0].Pointer != "/Statement/Action" {
				t.Fatalf("%s: got %v", format, fs)
			}
			if n := len(doc.Statements[0].Action); n != MaxElementsPerList {
				t.Errorf("%s: kept %d actions", format, n)
			}
		}
	})
	t.Run("too deep", func(t *testing.T) {
		for _, format := range []string{"json", "yaml"} {
			deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
			src := `{"Statement": {"Effect": "Allow", "Action": ` + deep + `}, "Id": 1}`
			doc, fs := Parse("p."+format, []byte(src))
			if format == "yaml" {
				// The YAML library bounds nesting itself, below our limit
				// for such a document: a syntax error.
				if len(fs) == 0 {
					t.Errorf("yaml: no finding")
				}
				continue
			}
			// The deep value is reported once and skipped; the rest of the
			// document is still read (Id has the wrong type).
			if got := codesAt(fs); len(got) != 3 || got[0] != "1:46 policy.wrong_type /Statement/Action/0" ||
				got[1] != "1:75 policy.too_deep /Statement/Action/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0" ||
				!strings.HasSuffix(got[2], "policy.wrong_type /Id") {
				t.Errorf("%s: got %v", format, fs)
			}
			if doc == nil {
				t.Errorf("nil document")
			}
		}
	})
	t.Run("too deep yaml", func(t *testing.T) {
		src := "Statement:\n  Effect: Allow\n  Action: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n"
		_, fs := Parse("p.yaml", []byte(src))
		if len(fs) != 2 || fs[1].Code != CodeTooDeep || fs[1].Line != 3 || fs[1].Col != 41 {
			t.Errorf("got %v", fs)
		}
	})
}

func mustMarshal(t *testing.T, d *Document) string {
	t.Helper()
	b, err := d.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
