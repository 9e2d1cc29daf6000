package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var binary string

// TestMain builds the gatehouse binary once, so these tests see the real
// process exit status and output streams.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gatehouse-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "gatehouse")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestBinaryExitStatus(t *testing.T) {
	td := filepath.Join("..", "..", "internal", "cli", "testdata")
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string // a substring; "" means stdout must be empty
		stderr string // a substring
	}{
		{"allow", []string{"eval", "--policy", filepath.Join(td, "allow.json"), "--request", filepath.Join(td, "read.json")}, "", 0, `"decision": "allow"`, ""},
		{"deny", []string{"eval", "--policy", filepath.Join(td, "allow.json"), "--request", "-"},
			`{"principal": "alice", "action": "orders:Read", "resource": "orders:archive/9"}`, 1, `"reason": "explicit_deny"`, ""},
		{"invalid request", []string{"eval", "--policy", filepath.Join(td, "allow.json"), "--request", filepath.Join(td, "unknown-field.json")}, "", 2, "", `unknown field "resourse"`},
		{"usage", nil, "", 2, "", "Commands:"},
		{"version", []string{"version"}, "", 0, "gatehouse ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(binary, tt.args...)
			cmd.Stdin = strings.NewReader(tt.stdin)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", code, tt.code, stderr.String())
			}
			if tt.stdout == "" && stdout.Len() > 0 {
				t.Errorf("stdout should be empty: %q", stdout.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", stdout.String(), stderr.String(), tt.stdout, tt.stderr)
			}
		})
	}
}
