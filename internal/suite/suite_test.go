package suite

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	data := `name: demo
policies: [p.json]
resource_policies: r.json
boundary: [b1.json, b2.json]
session: [s.json]
cases:
  - name: first
    request: {principal: alice, action: a:B, resource: r, fields: [x]}
    expect: allow
    reason: allowed
    sid: S1
    fields: {x: deny}
    explain_contains: hint
  - request: {principal: bob, action: a:B, resource: r}
    expect: deny
    fields: {y: allow}
`
	s, err := Parse("dir/demo_test.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "demo" || len(s.Policies) != 5 || len(s.Cases) != 2 {
		t.Fatalf("suite = %+v", s)
	}
	// Policy paths resolve against the suite's directory; names stay as
	// written, for the diff lines.
	if p := s.Policies[0]; p.Path != filepath.Join("dir", "p.json") || p.Name != "p.json" {
		t.Errorf("policy 0 = %+v", p)
	}
	c := s.Cases[0]
	if c.Name != "first" || c.Expect != "allow" || c.Reason != "allowed" || !c.HasSid || c.Sid != "S1" ||
		len(c.Fields) != 1 || c.ExplainContains[0] != "hint" || c.Line != 7 {
		t.Errorf("case 0 = %+v", c)
	}
	// A case without a name is numbered; a request without fields asks
	// for the fields the case expects.
	c = s.Cases[1]
	if c.Name != "case_2" || len(c.Request.Fields) != 1 || c.Request.Fields[0] != "y" || c.HasSid {
		t.Errorf("case 1 = %+v, request fields %v", c, c.Request.Fields)
	}
}

func TestParseErrors(t *testing.T) {
	const req = "{principal: a, action: a:B, resource: r}"
	tests := []struct{ name, data, want string }{
		{"unknown suite key", "policies: [p.json]\npolicy: [q.json]\ncases: []\n", `s_test.yaml:2:1: suite: unknown field "policy"`},
		{"unknown case key", "policies: [p.json]\ncases:\n  - request: " + req + "\n    expect: allow\n    expected_sid: X\n",
			`s_test.yaml:5:5: cases[0]: unknown field "expected_sid"`},
		{"unknown request key", "policies: [p.json]\ncases:\n  - request: {action: a, resource: r, user: x}\n    expect: allow\n",
			`s_test.yaml:3:39: cases[0].request: unknown field "user"`},
		{"no policies", "cases:\n  - request: " + req + "\n    expect: allow\n", "no policies"},
		{"no cases", "policies: [p.json]\n", `no "cases"`},
		{"empty cases", "policies: [p.json]\ncases: []\n", "cases: empty"},
		{"missing expect", "policies: [p.json]\ncases:\n  - request: " + req + "\n", `cases[0]: missing "expect"`},
		{"missing request", "policies: [p.json]\ncases:\n  - expect: allow\n", `cases[0]: missing "request"`},
		{"bad expect", "policies: [p.json]\ncases:\n  - request: " + req + "\n    expect: allowed\n", `"allowed": want allow or deny`},
		{"bad reason", "policies: [p.json]\ncases:\n  - request: " + req + "\n    expect: deny\n    reason: denied\n", "want allowed, explicit_deny or implicit_deny"},
		{"contradictory reason", "policies: [p.json]\ncases:\n  - request: " + req + "\n    expect: allow\n    reason: implicit_deny\n", "implicit_deny contradicts expect: allow"},
		{"duplicate case names", "policies: [p.json]\ncases:\n  - {name: x, request: " + req + ", expect: allow}\n  - {name: x, request: " + req + ", expect: allow}\n",
			`the name "x" is used by the case at line 3 too`},
		{"field not asked", "policies: [p.json]\ncases:\n  - request: {action: a, resource: r, fields: [a]}\n    expect: allow\n    fields: {b: deny}\n",
			`"b" is not among the request's fields`},
		{"bad field expectation", "policies: [p.json]\ncases:\n  - request: " + req + "\n    expect: allow\n    fields: {b: yes}\n", `want allow or deny`},
		{"not an object", "- a\n", "suite: want an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("s_test.yaml", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want containing %q", err, tt.want)
			}
		})
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{
		"a_test.yaml", "b_test.yml", "c_test.json", "policy.json", "x_test.txt",
		"sub/d_test.yaml", "sub/deeper/e_test.yaml",
		"testdata/skipped_test.yaml", ".hidden/skipped_test.yaml", "_tmp/skipped_test.yaml",
	} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Find([]string{dir, filepath.Join(dir, "policy.json"), filepath.Join(dir, "a_test.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, g := range got {
		r, _ := filepath.Rel(dir, g)
		rel = append(rel, filepath.ToSlash(r))
	}
	want := "a_test.yaml b_test.yml c_test.json policy.json sub/d_test.yaml sub/deeper/e_test.yaml"
	if strings.Join(rel, " ") != want {
		t.Errorf("Find = %v, want %s", rel, want)
	}
	// A testdata directory named explicitly is searched.
	got, err = Find([]string{filepath.Join(dir, "testdata")})
	if err != nil || len(got) != 1 {
		t.Errorf("Find(testdata) = %v, %v", got, err)
	}
	if _, err := Find([]string{filepath.Join(dir, "nope")}); err == nil {
		t.Error("Find of a missing path succeeded")
	}
}

// run runs the suites under paths and returns the exit status and output.
func run(t *testing.T, match string, paths ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	r := &Runner{Stdout: &out, Stderr: &errOut}
	if match != "" {
		r.Match = regexp.MustCompile(match)
	}
	code := r.Run(paths)
	return code, out.String(), errOut.String()
}

func TestRunPassing(t *testing.T) {
	code, out, errOut := run(t, "", "testdata/pass")
	if code != ExitPass {
		t.Fatalf("exit %d, want 0\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"=== RUN   json suite/read\n--- PASS: json suite/read\n",
		"ok  \ttestdata/pass/json_test.json\t1 passed\n",
		"=== RUN   orders/archive denied explicitly\n--- PASS: orders/archive denied explicitly\n",
		"ok  \ttestdata/pass/orders_test.yaml\t4 passed\n",
		"5 passed, 0 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunFailing(t *testing.T) {
	code, out, errOut := run(t, "", "testdata/fail")
	if code != ExitFail {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"--- PASS: wrong expectations/passes\n",
		"--- FAIL: wrong expectations/wrong decision\n" +
			`    wrong_test.yaml:9: want deny (explicit_deny), got allow (allowed) by policy.json#0 "ReadOrders"` + "\n",
		"--- FAIL: wrong expectations/wrong reason\n" +
			`    wrong_test.yaml:13: want deny (implicit_deny), got deny (explicit_deny) by policy.json#1 "NoArchive"` + "\n",
		"--- FAIL: wrong expectations/wrong sid\n" +
			`    wrong_test.yaml:17: want sid "Other", got allow (allowed) by policy.json#0 "ReadOrders"` + "\n",
		"--- FAIL: wrong expectations/wrong field\n" +
			"    wrong_test.yaml:21: field name: want allow, got deny (implicit_deny)\n",
		"FAIL\ttestdata/fail/wrong_test.yaml\t1 passed, 4 failed\n",
		"1 passed, 4 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunMatch(t *testing.T) {
	code, out, _ := run(t, "wrong expectations/passes", "testdata/fail")
	if code != ExitPass || !strings.Contains(out, "1 passed, 0 failed") || strings.Contains(out, "wrong sid") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
	code, _, errOut := run(t, "nothing-matches", "testdata/fail")
	if code != ExitPass || !strings.Contains(errOut, "no case matches") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestRunBroken(t *testing.T) {
	tests := []struct{ file, stderr string }{
		{"testdata/broken/missing_policy_test.yaml", "no-such-policy.json"},
		{"testdata/broken/invalid_policy_test.yaml", "testdata/broken/invalid-policy.json:4:"},
		{"testdata/broken/unknown_key_test.yaml", `unknown_key_test.yaml:5:5: cases[0]: unknown field "expected_sid"`},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			code, out, errOut := run(t, "", tt.file)
			if code != ExitInvalid {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, errOut)
			}
			if !strings.Contains(out, "FAIL\t"+tt.file+"\t[cannot load]") {
				t.Errorf("stdout:\n%s", out)
			}
		})
	}
	// A broken suite does not stop the others, and wins the exit status.
	code, out, _ := run(t, "", "testdata/broken/unknown_key_test.yaml", "testdata/fail")
	if code != ExitInvalid || !strings.Contains(out, "1 passed, 4 failed, 1 suite(s) could not be loaded") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

func TestRunNoSuites(t *testing.T) {
	code, _, errOut := run(t, "", t.TempDir())
	if code != ExitInvalid || !strings.Contains(errOut, "no test suites") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = run(t, "", "does-not-exist")
	if code != ExitInvalid || !strings.Contains(errOut, "does-not-exist") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
