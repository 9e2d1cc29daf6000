package engine

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// explainJSON is the explain output as `gatehouse explain --format json`
// prints it (API.md §4).
func explainJSON(x *Explanation) ([]byte, error) {
	type field struct {
		Decision  string        `json:"decision"`
		Reason    Reason        `json:"reason"`
		Statement *StatementRef `json:"statement,omitempty"`
	}
	out := struct {
		Decision   string           `json:"decision"`
		Reason     Reason           `json:"reason"`
		Statements []StatementRef   `json:"statements"`
		Fields     map[string]field `json:"fields,omitempty"`
		Trace      *Trace           `json:"trace"`
	}{Decision: x.Decision.String(), Reason: x.Decision.Reason, Statements: x.Statements, Trace: x.Trace}
	for _, f := range x.Fields {
		if out.Fields == nil {
			out.Fields = map[string]field{}
		}
		out.Fields[f.Field] = field{f.Decision.String(), f.Decision.Reason, f.Decision.By}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	return append(b, '\n'), err
}

// TestExplainGolden renders each scenario as text and JSON and compares
// with testdata/explain (run with -update to rewrite them).
func TestExplainGolden(t *testing.T) {
	for _, tc := range explainCases() {
		t.Run(tc.name, func(t *testing.T) {
			e := mustCompile(t, tc.policies...)
			r := tc.req
			x := e.Explain(&r, tc.fields)
			if x.Decision.Reason != tc.reason {
				t.Errorf("reason = %v, want %v", x.Decision.Reason, tc.reason)
			}
			if len(x.Trace.Problems) > 0 {
				t.Errorf("problems: %q", x.Trace.Problems)
			}
			var codes []string
			for _, h := range x.Trace.Hints {
				codes = append(codes, h.Code)
			}
			for _, c := range tc.hints {
				if !slices.Contains(codes, c) {
					t.Errorf("hints %v lack %s", codes, c)
				}
			}
			text := x.Text()
			flat := strings.Join(strings.Fields(text), " ")
			for _, s := range tc.text {
				if !strings.Contains(flat, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			js, err := explainJSON(x)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "explain", tc.name+".txt"), []byte(text))
			golden(t, filepath.Join("testdata", "explain", tc.name+".json"), js)
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestExplainGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run with -update to accept):\n--- got\n%s", path, got)
	}
}
