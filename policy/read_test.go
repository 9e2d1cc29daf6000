package policy

import (
	"strings"
	"testing"
)

// conditionValue parses a one-statement policy whose only condition is
// "StringEquals": {"k": <value>} and returns the value.
func conditionValue(t *testing.T, file, value string) (Str, Findings) {
	t.Helper()
	var src string
	if strings.HasSuffix(file, ".json") {
		src = `{"Statement": {"Effect": "Allow", "Condition": {"StringEquals": {"k": ` + value + `}}}}`
	} else {
		src = "Statement:\n  Effect: Allow\n  Condition:\n    StringEquals:\n      k: " + value + "\n"
	}
	doc, fs := Parse(file, []byte(src))
	if doc == nil || len(doc.Statements) != 1 || len(doc.Statements[0].Conditions) != 1 || len(doc.Statements[0].Conditions[0].Values) != 1 {
		return Str{}, fs
	}
	return doc.Statements[0].Conditions[0].Values[0], fs
}

// TestJSONScalars checks strict JSON (RFC 8259): escapes, surrogate pairs,
// numbers kept as written, and what JSON forbids.
func TestJSONScalars(t *testing.T) {
	tests := []struct {
		in   string
		want string
		kind ScalarKind
		err  string // substring of the syntax error, "" if none
	}{
		{`"plain"`, "plain", KindString, ""},
		{`"a\"b\\c\/d\b\f\n\r\t"`, "a\"b\\c/d\b\f\n\r\t", KindString, ""},
		{`"\u00e9\u4e2d"`, "é中", KindString, ""},
		{`"\ud83d\ude00"`, "😀", KindString, ""},
		{`"é😀"`, "é😀", KindString, ""},
		{`"\u0000"`, "\x00", KindString, ""},
		{`"\ud83d"`, "", 0, "surrogate"},
		{`"\ude00x"`, "", 0, "surrogate"},
		{`"\x41"`, "", 0, "invalid escape"},
		{`"\u12"`, "", 0, "four hex digits"},
		{"\"a\tb\"", "", 0, "control character"},
		{"\"a\nb\"", "", 0, "not closed before the end of the line"},
		{`"abc`, "", 0, "not closed"},
		{`10`, "10", KindNumber, ""},
		{`-0`, "-0", KindNumber, ""},
		{`1.50`, "1.50", KindNumber, ""},
		{`1E+400`, "1E+400", KindNumber, ""},
		{`12345678901234567890123`, "12345678901234567890123", KindNumber, ""},
		{`01`, "", 0, "leading zeros"},
		{`1.`, "", 0, "digit after '.'"},
		{`.5`, "", 0, "unexpected '.'"},
		{`+1`, "", 0, "unexpected '+'"},
		{`1e`, "", 0, "exponent"},
		{`-`, "", 0, "expected a digit"},
		{`0x10`, "", 0, "invalid number"},
		{`true`, "true", KindBool, ""},
		{`false`, "false", KindBool, ""},
		{`True`, "", 0, "unexpected 'T'"},
		{`nul`, "", 0, "literals are true, false and null"},
		{`truex`, "", 0, "literals are true, false and null"},
		{`NaN`, "", 0, "unexpected 'N'"},
	}
	for _, tt := range tests {
		got, fs := conditionValue(t, "p.json", tt.in)
		if tt.err != "" {
			if len(fs) != 1 || fs[0].Code != CodeSyntax || !strings.Contains(fs[0].Message, tt.err) {
				t.Errorf("%s: got %v, want a syntax error containing %q", tt.in, fs, tt.err)
			}
			continue
		}
		if len(fs) != 0 || got.Value != tt.want || got.Kind != tt.kind {
			t.Errorf("%s: got %q kind %d %v, want %q kind %d", tt.in, got.Value, got.Kind, fs, tt.want, tt.kind)
		}
	}
}

// TestJSONPositions checks that columns count bytes, lines count LF (CR LF
// too), and that a BOM is skipped.
func TestJSONPositions(t *testing.T) {
	tests := []struct {
		src  string
		want Pos // of the Action value
	}{
		{`{"Statement": {"Effect": "Allow", "Action": "a"}}`, Pos{1, 45}},
		{"{\r\n\"Statement\": {\"Effect\": \"Allow\",\r\n \"Action\": \"a\"}}", Pos{3, 12}},
		{`{"Statement": {"Sid": "ééé", "Effect": "Allow", "Action": "a"}}`, Pos{1, 62}},
		{"\xef\xbb\xbf{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"a\"}}", Pos{1, 45}},
		{"{\"Statement\": {\"Effect\": \"Allow\",\n\t\"Action\": \"a\"}}", Pos{2, 12}},
	}
	for _, tt := range tests {
		d := mustParse(t, "p.json", tt.src)
		if got := d.Statements[0].Action[0].Pos; got != tt.want {
			t.Errorf("%q: Action at %v, want %v", tt.src, got, tt.want)
		}
	}
}

// TestYAMLScalars checks that YAML scalars become strings, numbers or
// booleans by their resolved tag (YAML 1.2 core schema, as the library
// resolves it), and numbers become JSON number text.
func TestYAMLScalars(t *testing.T) {
	tests := []struct {
		in   string
		want string
		kind ScalarKind
		code string // finding code, "" if none
	}{
		{`plain`, "plain", KindString, ""},
		{`"10"`, "10", KindString, ""},
		{`'true'`, "true", KindString, ""},
		{`yes`, "yes", KindString, ""}, // YAML 1.1 booleans are strings in 1.2
		{`10`, "10", KindNumber, ""},
		{`-1.5e3`, "-1.5e3", KindNumber, ""},
		{`0x1F`, "31", KindNumber, ""},
		{`0o17`, "15", KindNumber, ""},
		{`1_000`, "1000", KindNumber, ""},
		{`+1`, "1", KindNumber, ""},
		{`.5`, "0.5", KindNumber, ""},
		{`1.`, "1", KindNumber, ""},
		{`12345678901234567890123`, "12345678901234567890123", KindNumber, ""},
		{`!!float 1`, "1", KindNumber, ""},
		{`!!str 10`, "10", KindString, ""},
		{`true`, "true", KindBool, ""},
		{`True`, "true", KindBool, ""},
		{`FALSE`, "false", KindBool, ""},
		{`2024-01-02T03:04:05Z`, "2024-01-02T03:04:05Z", KindString, ""},
		{`2024-01-02`, "2024-01-02", KindString, ""},
		{`"é😀\u00e9"`, "é😀é", KindString, ""},
		{`.inf`, "", 0, CodeWrongType},
		{`.nan`, "", 0, CodeWrongType},
		{`!!int abc`, "", 0, CodeWrongType},
		{`!!bool yes`, "", 0, CodeWrongType},
		{`!custom x`, "", 0, CodeWrongType},
		{`~`, "", 0, CodeWrongType},
		{`null`, "", 0, CodeWrongType},
		{`{a: b}`, "", 0, CodeWrongType},
	}
	for _, tt := range tests {
		got, fs := conditionValue(t, "p.yaml", tt.in)
		if tt.code != "" {
			if len(fs) != 1 || fs[0].Code != tt.code {
				t.Errorf("%s: got %v, want one %s", tt.in, fs, tt.code)
			}
			continue
		}
		if len(fs) != 0 || got.Value != tt.want || got.Kind != tt.kind {
			t.Errorf("%s: got %q kind %d %v, want %q kind %d", tt.in, got.Value, got.Kind, fs, tt.want, tt.kind)
		}
	}
}

// TestYAMLPositions checks that YAML columns are converted from characters
// (as the library counts) to bytes, and pointers escape ~ and /.
func TestYAMLPositions(t *testing.T) {
	src := "Statement:\n  - Sid: \"ééé\"\n    Effect: Allow\n    Action: [\"é\", s3:Get]\n    Condition: {StringEquals: {a/b~c: x}}\n"
	d := mustParse(t, "p.yaml", src)
	st := d.Statements[0]
	if st.Pos != (Pos{2, 5}) || st.SidPos != (Pos{2, 10}) {
		t.Errorf("statement %v sid %v", st.Pos, st.SidPos)
	}
	if a := st.Action[1]; a.Pos != (Pos{4, 20}) || a.Path != "/Statement/0/Action/1" {
		t.Errorf("Action[1] at %v %s, want 4:20", a.Pos, a.Path)
	}
	if k := st.Conditions[0].Key; k.Path != "/Statement/0/Condition/StringEquals/a~1b~0c" {
		t.Errorf("key path %s", k.Path)
	}
	// CR LF line ends.
	d = mustParse(t, "p.yaml", "Statement:\r\n  Effect: Allow\r\n  Action: x\r\n")
	if a := d.Statements[0].Action[0]; a.Pos != (Pos{3, 11}) {
		t.Errorf("CRLF: Action at %v", a.Pos)
	}
}

// TestYAMLStructure checks what the YAML reader refuses: more than one
// document, non-string keys, merge keys, unbounded alias expansion.
func TestYAMLStructure(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
		nilDoc    bool
	}{
		{"empty", "", []string{"1:1 policy.syntax "}, true},
		{"comments only", "# nothing\n", []string{"1:1 policy.syntax "}, true},
		{"explicit document", "---\nStatement: []\n...\n", nil, false},
		{"two documents", "Statement: []\n---\nId: x\n", []string{"2:1 policy.syntax "}, false},
		{"bool key", "Statement: []\ntrue: 1\n", []string{"2:1 policy.wrong_type "}, false},
		{"null key", "Statement: []\n~: 1\n", []string{"2:1 policy.wrong_type "}, false},
		{"list key", "Statement: []\n? [a]\n: 1\n", []string{"2:3 policy.wrong_type "}, false},
		{"merge key", "base: &b {Effect: Allow}\nStatement:\n  <<: *b\n", []string{"1:1 policy.unknown_element /base", "3:3 policy.missing_element /Statement", "3:3 policy.wrong_type /Statement"}, false},
		{"alias shared", "Statement:\n  - Effect: Allow\n    Action: &acts [a, b]\n  - Effect: Deny\n    Action: *acts\n", nil, false},
		{"alias self cycle", "Statement: &s [*s]\n", []string{"1:12 policy.too_deep /Statement/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0"}, true},
		{"unknown anchor", "Statement: *nope\n", []string{"0:0 policy.syntax "}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, fs := Parse("p.yaml", []byte(tt.src))
			if got := strings.Join(codesAt(fs), "\n"); got != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s\nfull:\n%v", got, strings.Join(tt.want, "\n"), fs)
			}
			if (doc == nil) != tt.nilDoc {
				t.Errorf("document nil = %v", doc == nil)
			}
		})
	}
}

// TestYAMLBillionLaughs checks that exponential alias expansion is cut off
// with a finding, quickly and without a large allocation.
func TestYAMLBillionLaughs(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		b.WriteString("a")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(": &a")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(" [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a")
			b.WriteString(string(rune('0' + i - 1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("Statement: {Effect: Allow, Action: *a9}\n")
	// An exponential expansion would not finish within the test timeout;
	// no duration is asserted.
	_, fs := Parse("laughs.yaml", []byte(b.String()))
	found := false
	for _, f := range fs {
		found = found || f.Code == CodeTooLarge
	}
	if !found {
		t.Errorf("no %s finding: %v", CodeTooLarge, fs)
	}
}

// TestLineIndex checks the conversion of YAML's character columns to byte
// columns, across all of YAML's line breaks and past the index's marks.
func TestLineIndex(t *testing.T) {
	long := strings.Repeat("é", 200) + "x"
	data := "ab\ncé d\r\nx\ry\u0085é z\u2028" + long
	li := newLineIndex([]byte(data))
	tests := []struct{ line, col, want int }{
		{1, 1, 1}, {1, 2, 2},
		{2, 1, 1}, {2, 2, 2}, {2, 3, 4}, {2, 4, 5},
		{3, 1, 1}, {4, 1, 1},
		{5, 1, 1}, {5, 2, 3}, {5, 3, 4},
		{6, 1, 1}, {6, 64, 127}, {6, 65, 129}, {6, 200, 399}, {6, 201, 401},
	}
	for _, tt := range tests {
		if got := li.byteCol(tt.line, tt.col); got != tt.want {
			t.Errorf("byteCol(%d, %d) = %d, want %d", tt.line, tt.col, got, tt.want)
		}
	}
}
