package policy

import (
	"fmt"
	"strings"
	"testing"
)

// TestParseHostileInputs parses documents of about MaxDocumentBytes built
// to be slow or to produce many findings: deep nesting, huge lists and
// objects, duplicate keys, one very long line, alias fan-out. Each must be
// refused with bounded findings (no test here measures time; a quadratic
// path shows up as a test timeout).
func TestParseHostileInputs(t *testing.T) {
	const n = MaxDocumentBytes
	uniqueKeys := func() string {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; b.Len() < n-20; i++ {
			fmt.Fprintf(&b, `"%d":0,`, i)
		}
		b.WriteString(`"x":0}`)
		return b.String()
	}
	cases := []struct{ name, file, src, code string }{
		{"open brackets", "p.json", strings.Repeat("[", n), CodeTooDeep},
		{"nested objects", "p.json", strings.Repeat(`{"a":`, n/5), CodeTooDeep},
		{"empty statements", "p.json", `{"Statement":[` + strings.Repeat("{},", n/3-10) + "{}]}", CodeTooManyStatements},
		{"long action list", "p.json", `{"Statement":{"Effect":"Allow","Action":[` + strings.Repeat("1,", n/2-40) + "1]}}", CodeTooManyElements},
		{"duplicate keys", "p.json", "{" + strings.Repeat(`"":0,`, n/5-1) + `"":0}`, CodeDuplicateKey},
		{"unique keys", "p.json", uniqueKeys(), CodeTooManyElements},
		{"escapes", "p.json", `{"Statement":"` + strings.Repeat(`\u00e9`, n/6-4) + `"}`, CodeWrongType},
		{"yaml open brackets", "p.yaml", strings.Repeat("[", n), CodeSyntax},
		{"yaml block nesting", "p.yaml", strings.Repeat("- ", n/2), CodeSyntax},
		{"yaml one-line mapping", "p.yaml", "{" + strings.Repeat("a: 0,", n/5-1) + "a: 0}", CodeDuplicateKey},
		{"yaml one-line unicode", "p.yaml", "{" + strings.Repeat("é: 0,", n/6-1) + "é: 0}", CodeDuplicateKey},
		{"yaml long action list", "p.yaml", "Statement: {Effect: Allow, Action: [" + strings.Repeat("1,", n/2-40) + "1]}", CodeTooManyElements},
		{"yaml alias fan-out", "p.yaml", "a: &a [" + strings.Repeat("x,", 1000) + "x]\nb: [" + strings.Repeat("*a,", n/4-600) + "*a]\n", CodeTooLarge},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.src) > MaxDocumentBytes {
				t.Fatalf("input is %d bytes, over the limit", len(tt.src))
			}
			_, fs := Parse(tt.file, []byte(tt.src))
			if len(fs) > maxFindings+1 {
				t.Errorf("%d findings, want at most %d", len(fs), maxFindings+1)
			}
			found := false
			for _, f := range fs {
				found = found || f.Code == tt.code
			}
			if !found {
				t.Errorf("no %s finding in %d findings; first: %v", tt.code, len(fs), fs[:min(len(fs), 3)])
			}
		})
	}
}
