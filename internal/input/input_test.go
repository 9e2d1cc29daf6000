package input

import (
	"strings"
	"testing"
)

func TestParsePositionsAndValues(t *testing.T) {
	for _, tc := range []struct{ file, data string }{
		{"r.json", "{\n  \"action\": \"s3:GetObject\",\n  \"n\": 1e3,\n  \"ok\": true,\n  \"list\": [\"a\", 10]\n}\n"},
		{"r.yaml", "action: s3:GetObject\nn: 1e3\nok: true\nlist: [a, 10]\n"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			n, err := Parse(tc.file, []byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if n.Kind != Object || len(n.Members) != 4 {
				t.Fatalf("got %+v, want an object of 4 members", n)
			}
			a := n.Get("action")
			if a.Kind != String || a.Text != "s3:GetObject" {
				t.Errorf("action = %+v", a)
			}
			// Numbers keep their text as written (API.md §3).
			if num := n.Get("n"); num.Kind != Number || num.Text != "1e3" {
				t.Errorf("n = %+v, want number 1e3", num)
			}
			if b := n.Get("ok"); b.Kind != Bool || b.Text != "true" {
				t.Errorf("ok = %+v", b)
			}
			l := n.Get("list")
			if l.Kind != List || len(l.Items) != 2 || l.Items[1].Kind != Number || l.Items[1].Text != "10" {
				t.Errorf("list = %+v", l)
			}
			wantLine := 2
			if strings.HasSuffix(tc.file, ".yaml") {
				wantLine = 1
			}
			if n.Members[0].Line != wantLine {
				t.Errorf("action key at line %d, want %d", n.Members[0].Line, wantLine)
			}
		})
	}
}

func TestJSONPositions(t *testing.T) {
	data := "{\"a\": {\"b\" : [1,\n   \"x\"]}}"
	n, err := Parse("p.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	b := n.Get("a").Get("b")
	if b.Line != 1 || b.Col != 14 {
		t.Errorf("b at %d:%d, want 1:14", b.Line, b.Col)
	}
	if x := b.Items[1]; x.Line != 2 || x.Col != 4 {
		t.Errorf("x at %d:%d, want 2:4", x.Line, x.Col)
	}
	if m := n.Get("a").Members[0]; m.Line != 1 || m.Col != 8 {
		t.Errorf("key b at %d:%d, want 1:8", m.Line, m.Col)
	}
}

func TestYAMLScalars(t *testing.T) {
	n, err := Parse("c.yaml", []byte("date: 2024-01-02T03:04:05Z\nhex: 0x1F\nnull: ~\nq: \"10\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	// A date stays the string it was written as, for Date operators.
	if d := n.Get("date"); d.Kind != String || d.Text != "2024-01-02T03:04:05Z" {
		t.Errorf("date = %+v", d)
	}
	if h := n.Get("hex"); h.Kind != Number || h.Text != "0x1F" {
		t.Errorf("hex = %+v", h)
	}
	if z := n.Get("null"); z.Kind != Null {
		t.Errorf("null = %+v", z)
	}
	if q := n.Get("q"); q.Kind != String || q.Text != "10" {
		t.Errorf("q = %+v", q)
	}
}

func TestParseErrors(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := range 8 {
		name := string(rune('b' + i))
		bomb += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = name
	}
	deep := strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2)
	tests := []struct {
		name, file, data, want string
	}{
		{"json duplicate key", "r.json", "{\"a\": 1,\n \"a\": 2}", `r.json:2:2: duplicate key "a" (first at line 1)`},
		{"yaml duplicate key", "r.yaml", "a: 1\nb: 2\na: 3\n", `r.yaml:3:1: duplicate key "a" (first at line 1)`},
		{"json syntax", "r.json", "{\"a\": 1,\n \"b\" 2}", "r.json:2:6: invalid JSON"},
		{"json bad value", "r.json", "{\"a\":\n  x}", "r.json:2:3: invalid JSON: invalid character 'x'"},
		{"json missing comma", "r.json", "{\"a\": 1 \"b\": 2}", "r.json:1:9: invalid JSON"},
		{"json double comma", "r.json", "[1,,2]", "r.json:1:4: invalid JSON: invalid character ','"},
		{"json truncated", "r.json", "{\"a\": ", "r.json:1:7: invalid JSON: unexpected end of file"},
		{"json trailing", "r.json", "{}\n{}", "r.json:2:1: unexpected text after the JSON value"},
		{"json empty", "r.json", "  \n", "file is empty"},
		{"yaml empty", "r.yaml", "", "file is empty"},
		{"yaml syntax", "r.yaml", "a: [1,\nb: 2\n", "r.yaml:"},
		{"yaml two documents", "r.yaml", "a: 1\n---\nb: 2\n", "r.yaml:2:1: a second YAML document"},
		{"yaml merge key", "r.yaml", "x: &x {a: 1}\ny:\n  <<: *x\n", "merge keys"},
		{"yaml custom tag", "r.yaml", "a: !foo 1\n", "unsupported YAML tag"},
		{"yaml inf", "r.yaml", "a: .inf\n", "not a JSON number"},
		{"yaml alias bomb", "r.yaml", bomb, "number more than"},
		{"json too deep", "r.json", deep, "nest deeper than"},
		{"not utf-8", "r.json", "{\"a\": \"\xff\"}", "not valid UTF-8"},
		{"too large", "r.json", strings.Repeat(" ", MaxBytes+1), "more than the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.file, []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want containing %q", err, tt.want)
			}
		})
	}
}

func TestIsYAML(t *testing.T) {
	tests := []struct {
		file, data string
		want       bool
	}{
		{"a.yaml", "{}", true},
		{"a.YML", "{}", true},
		{"a.json", "a: 1", false},
		{"-", "  {\"a\": 1}", false},
		{"-", "a: 1", true},
		{"req", "[1]", false},
	}
	for _, tt := range tests {
		if got := IsYAML(tt.file, []byte(tt.data)); got != tt.want {
			t.Errorf("IsYAML(%q, %q) = %v, want %v", tt.file, tt.data, got, tt.want)
		}
	}
}

func TestDecoder(t *testing.T) {
	n, err := Parse("r.yaml", []byte("actoin: x\nfields: [a, 1]\nname: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := &Decoder{File: "r.yaml"}
	d.Object(n, "request", "action", "fields", "name")
	d.Strings(n.Get("fields"), "fields")
	d.String(n.Get("name"), "name")
	got := d.Err().Error()
	want := `r.yaml:1:1: request: unknown field "actoin" (known fields: action, fields, name)
r.yaml:2:13: fields[1]: want a string, got a number (write "1" for the string)
r.yaml:3:7: name: want a string, got a number (write "3" for the string)`
	if got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
}
