// Package archtest guards the architecture: the policy language and the
// engine stay pure (no network, no database, no files, no clock-driven
// packages), depend only on the standard library (plus one YAML parser for
// policy), and every package says what it is for in a doc comment.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// root returns the repository root (two levels up from this package).
func root(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..")
}

// packages maps each package directory (relative to the root) to its
// non-test Go files, skipping testdata and the separate bench module.
func packages(t *testing.T) map[string][]string {
	t.Helper()
	top := root(t)
	pkgs := map[string][]string{}
	err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(top, path)
		if d.IsDir() {
			base := d.Name()
			if rel == "bench" || base == "testdata" || (strings.HasPrefix(base, ".") && rel != ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dir := filepath.Dir(rel)
			pkgs[dir] = append(pkgs[dir], path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// forbidden are imports that would put I/O or global state into the pure
// packages.
var forbidden = []string{"net", "net/http", "database/sql", "os", "os/exec", "io/ioutil", "syscall", "log", "log/slog", "time/tzdata"}

// allowedNonStd lists the only non-standard imports each pure package may
// have.
var pure = map[string][]string{
	"policy":            {"go.yaml.in/yaml/v3", "gatehouse.dev/gatehouse/internal/textdist"},
	"engine":            {"gatehouse.dev/gatehouse/policy", "gatehouse.dev/gatehouse/internal/textdist"},
	"internal/textdist": nil,
}

func TestPurePackages(t *testing.T) {
	pkgs := packages(t)
	for dir, allowed := range pure {
		files := pkgs[dir]
		if len(files) == 0 {
			t.Errorf("package %s not found", dir)
		}
		for _, f := range files {
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					if p == bad {
						t.Errorf("%s imports %s: %s must stay pure (no I/O)", f, p, dir)
					}
				}
				first, _, _ := strings.Cut(p, "/")
				if strings.Contains(first, ".") && !contains(allowed, p) {
					t.Errorf("%s imports %s: %s may import only the standard library and %v", f, p, dir, allowed)
				}
			}
		}
	}
}

func TestPackageDocs(t *testing.T) {
	for dir, files := range packages(t) {
		documented := false
		for _, f := range files {
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if af.Doc != nil && strings.TrimSpace(af.Doc.Text()) != "" {
				documented = true
			}
		}
		if !documented {
			t.Errorf("package %s has no doc comment", dir)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The engine is pure: no clock. Request time comes in the request.
func TestNoClock(t *testing.T) {
	pkgs := packages(t)
	for dir := range pure {
		for _, f := range pkgs[dir] {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, call := range []string{"time.Now(", "time.Since(", "time.Until(", "rand."} {
				if strings.Contains(string(src), call) {
					t.Errorf("%s calls %s: %s must not read a clock or global randomness", f, call, dir)
				}
			}
		}
	}
}

// testOnly are packages for tests: no non-test file outside them may
// import them (internal/oidctest starts an OpenID provider, with its
// dependencies, that must never reach the gatehouse binary).
var testOnly = []string{"internal/oidctest"}

func TestTestOnlyPackages(t *testing.T) {
	for dir, files := range packages(t) {
		for _, f := range files {
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				for _, only := range testOnly {
					if p == "gatehouse.dev/gatehouse/"+only && dir != only {
						t.Errorf("%s imports %s, which is for tests only", f, p)
					}
				}
			}
		}
	}
}
