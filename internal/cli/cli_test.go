package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// gh runs the CLI in process with stdin and returns the exit status,
// stdout and stderr.
func gh(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// wantFailure checks an invalid-input run: exit 2, nothing on stdout, and
// stderr containing each of want.
func wantFailure(t *testing.T, code int, out, errOut string, want ...string) {
	t.Helper()
	if code != exitUsage {
		t.Errorf("exit %d, want 2 (stderr %q)", code, errOut)
	}
	if out != "" {
		t.Errorf("stdout not empty on failure: %q", out)
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
}

const td = "testdata/"

func TestEvalExitStatusAndJSON(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		decision string
		reason   string
		sid      string // one of the statements, when not empty
	}{
		{"allowed", []string{"--policy", td + "allow.json", "--request", td + "read.json"}, 0, "allow", "allowed", ""},
		{"allowed by a wildcard action", []string{"--policy", td + "allow.json", "--request", td + "write.yaml"}, 0, "allow", "allowed", "ReadAll"},
		{"implicit deny", []string{"--policy", td + "allow.json", "--request", td + "other.json"}, 1, "deny", "implicit_deny", ""},
		{"explicit deny", []string{"--policy", td + "allow.json", "--request", td + "archive.json"}, 1, "deny", "explicit_deny", "NoArchive"},
		{"boundary limits", []string{"--policy", td + "allow.json", "--boundary", td + "boundary.json", "--request", td + "write.yaml"}, 1, "deny", "implicit_deny", ""},
		{"resource policy", []string{"--resource-policy", td + "resource.json", "--request", td + "bob-shared.json"}, 0, "allow", "allowed", "BobReads"},
		{"resource policy, other user", []string{"--resource-policy", td + "resource.json", "--request", td + "read.json"}, 1, "deny", "implicit_deny", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := gh(t, "", append([]string{"eval"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			var res map[string]any
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, out)
			}
			// API.md §4: decision, reason, statements; fields only when
			// asked, trace only with --explain.
			keys := slices.Sorted(mapKeys(res))
			if !slices.Equal(keys, []string{"decision", "reason", "statements"}) {
				t.Errorf("keys = %v", keys)
			}
			if res["decision"] != tt.decision || res["reason"] != tt.reason {
				t.Errorf("got %v (%v), want %s (%s)", res["decision"], res["reason"], tt.decision, tt.reason)
			}
			stmts, ok := res["statements"].([]any)
			if !ok {
				t.Fatalf("statements = %#v, want a list", res["statements"])
			}
			if tt.reason == "implicit_deny" && len(stmts) != 0 {
				t.Errorf("implicit deny with statements %v", stmts)
			}
			if tt.reason != "implicit_deny" && len(stmts) == 0 {
				t.Errorf("%s without statements", tt.reason)
			}
			var sids []string
			for _, s := range stmts {
				m := s.(map[string]any)
				if k := slices.Sorted(mapKeys(m)); !slices.Equal(k, []string{"effect", "file", "index", "sid"}) {
					t.Errorf("statement keys = %v", k)
				}
				sids = append(sids, m["sid"].(string))
				if m["file"] == "" {
					t.Errorf("statement without file: %v", m)
				}
			}
			if tt.sid != "" && !slices.Contains(sids, tt.sid) {
				t.Errorf("statements %v lack %s", sids, tt.sid)
			}
		})
	}
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestEvalFields(t *testing.T) {
	code, out, errOut := gh(t, "", "eval", "--policy", td+"allow.json", "--request", td+"fields.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Decision string            `json:"decision"`
		Fields   map[string]string `json:"fields"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"email": "allow", "firstName": "deny"}
	if res.Decision != "allow" || len(res.Fields) != 2 || res.Fields["email"] != want["email"] || res.Fields["firstName"] != want["firstName"] {
		t.Errorf("got %+v, want allow with %v", res, want)
	}
}

func TestEvalText(t *testing.T) {
	code, out, _ := gh(t, "", "eval", "--format", "text", "--policy", td+"allow.json", "--request", td+"archive.json")
	want := "deny (explicit_deny)\n  deny by " + td + `allow.json#2 "NoArchive"` + "\n"
	if code != 1 || out != want {
		t.Errorf("exit %d, stdout:\n%s\nwant:\n%s", code, out, want)
	}
	code, out, _ = gh(t, "", "eval", "--format", "text", "--policy", td+"allow.json", "--request", td+"fields.json")
	if code != 0 || !strings.Contains(out, "fields:\n  email: allow\n  firstName: deny\n") {
		t.Errorf("exit %d, stdout:\n%s", code, out)
	}
}

func TestEvalStdin(t *testing.T) {
	for _, stdin := range []string{
		`{"principal": "alice", "action": "orders:Read", "resource": "orders:acme/1"}`,
		"principal: alice\naction: orders:Read\nresource: orders:acme/1\n",
	} {
		code, out, errOut := gh(t, stdin, "eval", "--policy", td+"allow.json", "--request", "-")
		if code != 0 || !strings.Contains(out, `"decision": "allow"`) {
			t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
		}
	}
	code, out, errOut := gh(t, `{"action": "x"`, "eval", "--policy", td+"allow.json", "--request", "-")
	wantFailure(t, code, out, errOut, "<stdin>:1:")
}

func TestEvalRepeatedPolicies(t *testing.T) {
	// Two identity policies unite: the warn.json statement allows alice's
	// own prefix only if variables were substituted (they are not: no
	// Version), and allow.json allows orders:acme/*.
	code, _, errOut := gh(t, "", "eval", "--policy", td+"warn.json", "--policy", td+"allow.json", "--request", td+"read.json")
	if code != 0 {
		t.Errorf("exit %d: %s", code, errOut)
	}
	// Warnings go to stderr as file:line:col lines; they do not fail eval.
	if !regexp.MustCompile(`testdata/warn\.json:\d+:\d+: warning: `).MatchString(errOut) {
		t.Errorf("stderr lacks the warning:\n%s", errOut)
	}
}

func TestEvalInvalidInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"invalid policy", []string{"eval", "--policy", td + "invalid.json", "--request", td + "read.json"},
			[]string{td + "invalid.json:4:", "error:"}},
		{"unknown request field", []string{"eval", "--policy", td + "allow.json", "--request", td + "unknown-field.json"},
			[]string{td + `unknown-field.json:4:3: request: unknown field "resourse"`}},
		{"unreadable request", []string{"eval", "--policy", td + "allow.json", "--request", td + "nope.json"},
			[]string{"nope.json", "no such file"}},
		{"unreadable policy", []string{"eval", "--policy", td + "nope.json", "--request", td + "read.json"},
			[]string{"nope.json", "no such file"}},
		{"directory as request", []string{"eval", "--policy", td + "allow.json", "--request", td}, []string{"testdata"}},
		{"missing --request", []string{"eval", "--policy", td + "allow.json"}, []string{"missing --request"}},
		{"no policies", []string{"eval", "--request", td + "read.json"}, []string{"no policies"}},
		{"only a boundary", []string{"eval", "--boundary", td + "boundary.json", "--request", td + "read.json"}, []string{"no policies"}},
		{"bad format", []string{"eval", "--format", "yaml", "--policy", td + "allow.json", "--request", td + "read.json"},
			[]string{`"yaml" is not a format`, "gatehouse help eval"}},
		{"unknown flag", []string{"eval", "--polcy", td + "allow.json"}, []string{"flag provided but not defined: -polcy"}},
		{"flag without value", []string{"eval", "--request"}, []string{"flag needs an argument"}},
		{"empty policy name", []string{"eval", "--policy", "", "--request", td + "read.json"}, []string{"empty file name"}},
		{"positional argument", []string{"eval", "--policy", td + "allow.json", "--request", td + "read.json", "extra"},
			[]string{`unexpected argument "extra"`}},
		{"explain flag on explain", []string{"explain", "--explain", "--policy", td + "allow.json", "--request", td + "read.json"},
			[]string{"flag provided but not defined: -explain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := gh(t, "", tt.args...)
			wantFailure(t, code, out, errOut, tt.want...)
		})
	}
}

func TestValidate(t *testing.T) {
	code, out, errOut := gh(t, "", "validate", td+"allow.json", td+"boundary.json")
	if code != 0 || out != "2 files: no errors, no warnings\n" || errOut != "" {
		t.Errorf("exit %d\nstdout: %q\nstderr: %q", code, out, errOut)
	}
	code, out, _ = gh(t, "", "validate", td+"allow.json", td+"invalid.json")
	if code != 1 || !strings.Contains(out, td+"invalid.json:4:") || !strings.Contains(out, "2 files: 1 error") {
		t.Errorf("exit %d\nstdout: %s", code, out)
	}
	// Warnings alone do not fail validation.
	code, out, _ = gh(t, "", "validate", td+"warn.json")
	if code != 0 || !strings.Contains(out, "warning:") {
		t.Errorf("exit %d\nstdout: %s", code, out)
	}
	// A resource policy without Principal is an error as a resource
	// policy (issue 2 item 2), not as an identity policy.
	code, _, _ = gh(t, "", "validate", "--kind", "resource", td+"allow.json")
	if code != 1 {
		t.Errorf("allow.json as a resource policy: exit %d, want 1", code)
	}
	code, _, _ = gh(t, "", "validate", "--kind", "resource", td+"resource.json")
	if code != 0 {
		t.Errorf("resource.json as a resource policy: exit %d, want 0", code)
	}
	// Standard input.
	data, err := os.ReadFile(td + "allow.json")
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ = gh(t, string(data), "validate", "-")
	if code != 0 || !strings.Contains(out, "1 file:") {
		t.Errorf("stdin: exit %d\nstdout: %s", code, out)
	}
}

func TestValidateJSON(t *testing.T) {
	code, out, _ := gh(t, "", "validate", "--format", "json", td+"allow.json", td+"invalid.json")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var res struct {
		Files []struct {
			File     string           `json:"file"`
			Findings []map[string]any `json:"findings"`
		} `json:"files"`
		Errors   *int `json:"errors"`
		Warnings *int `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(res.Files) != 2 || res.Files[0].File != td+"allow.json" || res.Files[0].Findings == nil ||
		len(res.Files[1].Findings) == 0 || res.Errors == nil || *res.Errors == 0 || res.Warnings == nil {
		t.Fatalf("got %s", out)
	}
	f := res.Files[1].Findings[0]
	for _, k := range []string{"severity", "code", "file", "line", "col", "pointer", "message"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q: %v", k, f)
		}
	}
	if !strings.Contains(out, `"findings": []`) {
		t.Errorf("a file without findings should have an empty list:\n%s", out)
	}
}

func TestValidateUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no files", []string{"validate"}, "no files"},
		{"unreadable", []string{"validate", td + "allow.json", td + "nope.json"}, "nope.json"},
		{"bad kind", []string{"validate", "--kind", "role", td + "allow.json"}, `unknown policy kind "role"`},
		{"flag after file", []string{"validate", td + "allow.json", "--kind", "resource"}, "flag --kind comes after a file name"},
		{"stdin twice", []string{"validate", "-", "-"}, "- given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := gh(t, "", tt.args...)
			wantFailure(t, code, out, errOut, tt.want)
		})
	}
}

func TestTestCommand(t *testing.T) {
	code, out, errOut := gh(t, "", "test", "../suite/testdata/pass")
	if code != 0 || !strings.Contains(out, "5 passed, 0 failed") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	code, out, _ = gh(t, "", "test", "../suite/testdata/fail")
	if code != 1 || !strings.Contains(out, "--- FAIL: ") {
		t.Errorf("exit %d\nstdout: %s", code, out)
	}
	code, out, _ = gh(t, "", "test", "--run", "passes$", "../suite/testdata/fail")
	if code != 0 || !strings.Contains(out, "1 passed, 0 failed") {
		t.Errorf("--run: exit %d\nstdout: %s", code, out)
	}
	code, out, errOut = gh(t, "", "test", "--run", "(", ".")
	wantFailure(t, code, out, errOut, "--run")
	code, _, errOut = gh(t, "", "test", "../suite/testdata/broken")
	if code != 2 || errOut == "" {
		t.Errorf("broken suites: exit %d, stderr %q", code, errOut)
	}
}

func TestTopLevel(t *testing.T) {
	code, out, errOut := gh(t, "")
	if code != 2 || out != "" || !strings.Contains(errOut, "Commands:") {
		t.Errorf("no arguments: exit %d, stdout %q", code, out)
	}
	code, out, _ = gh(t, "", "--help")
	if code != 0 || !strings.Contains(out, "eval ") || !strings.Contains(out, "validate ") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	code, out, _ = gh(t, "", "help")
	if code != 0 || !strings.Contains(out, "Commands:") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	for _, c := range []string{"eval", "explain", "validate", "test", "version", "help"} {
		code, out, _ = gh(t, "", "help", c)
		if code != 0 || !strings.HasPrefix(out, "Usage: gatehouse "+c) {
			t.Errorf("help %s: exit %d\n%s", c, code, out)
		}
		code, out2, _ := gh(t, "", c, "-h")
		if code != 0 || out2 != out {
			t.Errorf("%s -h: exit %d, differs from help %s", c, code, c)
		}
	}
	code, out, errOut = gh(t, "", "frobnicate")
	wantFailure(t, code, out, errOut, `unknown command "frobnicate"`)
	code, out, errOut = gh(t, "", "help", "frobnicate")
	wantFailure(t, code, out, errOut, `unknown command "frobnicate"`)
	code, out, _ = gh(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "gatehouse ") {
		t.Errorf("version: exit %d %q", code, out)
	}
	code, out2, _ := gh(t, "", "--version")
	if code != 0 || out2 != out {
		t.Errorf("--version: exit %d %q", code, out2)
	}
	code, out, errOut = gh(t, "", "version", "extra")
	wantFailure(t, code, out, errOut, "no arguments")
}

// TestExamples runs the example suites and every command in the READMEs
// (the examples' and the repository's), so the documentation cannot drift
// from the code.
func TestExamples(t *testing.T) {
	root := filepath.Join("..", "..")
	code, out, errOut := gh(t, "", "test", filepath.Join(root, "examples"))
	if code != 0 {
		t.Errorf("gatehouse test examples: exit %d\n%s\n%s", code, out, errOut)
	}
	readmes, err := filepath.Glob(filepath.Join(root, "examples", "*", "README.md"))
	if err != nil || len(readmes) < 6 {
		t.Fatalf("example READMEs: %v %v", readmes, err)
	}
	readmes = append(readmes, filepath.Join(root, "README.md"))
	cmd := regexp.MustCompile("(?m)^go run ./cmd/gatehouse (.*)$")
	for _, readme := range readmes {
		data, err := os.ReadFile(readme)
		if err != nil {
			t.Fatal(err)
		}
		found := cmd.FindAllStringSubmatch(string(data), -1)
		if len(found) == 0 {
			t.Errorf("%s shows no gatehouse command", readme)
		}
		for _, m := range found {
			if strings.HasPrefix(m[1], "serve") {
				continue // runs until stopped: TestDemo runs the quick start
			}
			var args []string
			for _, a := range strings.Fields(m[1]) {
				if !strings.HasPrefix(a, "examples") {
					args = append(args, a)
					continue
				}
				// Paths are relative to the repository root; expand
				// globs as a shell would.
				matches, err := filepath.Glob(filepath.Join(root, a))
				if err != nil || len(matches) == 0 {
					t.Errorf("%s: %s matches no file", readme, a)
				}
				args = append(args, matches...)
			}
			code, out, errOut := gh(t, "", args...)
			if code == exitUsage || out == "" {
				t.Errorf("%s: gatehouse %s: exit %d\n%s", readme, m[1], code, errOut)
			}
		}
	}
}

func TestExplain(t *testing.T) {
	args := []string{"--policy", td + "allow.json", "--request", td + "archive.json"}
	// explain defaults to text, whatever stdout is.
	code, out, errOut := gh(t, "", append([]string{"explain"}, args...)...)
	if code != 1 || !strings.HasPrefix(out, "DENY") || !strings.Contains(out, "NoArchive") {
		t.Errorf("explain: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	// explain --format json and eval --explain give the same JSON, with
	// the trace.
	code, outJSON, _ := gh(t, "", append([]string{"explain", "--format", "json"}, args...)...)
	code2, outEval, _ := gh(t, "", append([]string{"eval", "--explain"}, args...)...)
	if code != 1 || code2 != 1 || outJSON != outEval {
		t.Errorf("explain --format json (exit %d) and eval --explain (exit %d) differ:\n%s\n%s", code, code2, outJSON, outEval)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(outJSON), &res); err != nil {
		t.Fatal(err)
	}
	if k := slices.Sorted(mapKeys(res)); !slices.Equal(k, []string{"decision", "reason", "statements", "trace"}) {
		t.Errorf("keys = %v", k)
	}
	if tr, ok := res["trace"].(map[string]any); !ok || tr["decision"] != "deny" {
		t.Errorf("trace = %v", res["trace"])
	}
	// eval --explain --format text prints the explanation.
	code, out, _ = gh(t, "", append([]string{"eval", "--explain", "--format", "text"}, args...)...)
	if code != 1 || !strings.HasPrefix(out, "DENY") {
		t.Errorf("eval --explain --format text: exit %d\n%s", code, out)
	}
}
