package directory

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPure guards the package's shape (DESIGN.md §5): it knows policy,
// engine and the store's types, the standard library, and no network,
// database or clock.
func TestPure(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"gatehouse.dev/gatehouse/policy":            true,
		"gatehouse.dev/gatehouse/engine":            true,
		"gatehouse.dev/gatehouse/store":             true,
		"gatehouse.dev/gatehouse/internal/textdist": true,
	}
	forbidden := []string{"net", "net/http", "database/sql", "os", "os/exec", "syscall", "log", "log/slog"}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if p == bad {
					t.Errorf("%s imports %s", f, p)
				}
			}
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") && !allowed[p] {
				t.Errorf("%s imports %s", f, p)
			}
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range []string{"time.Now(", "time.Since(", "rand."} {
			if strings.Contains(string(src), call) {
				t.Errorf("%s calls %s: time comes in as a value", f, call)
			}
		}
	}
}
