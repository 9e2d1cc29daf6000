package policy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The validation corpus: testdata/validate/<kind>/*.json|yaml are loaded as
// policies of that kind; <file>.golden holds the expected findings, one
// Finding.String() per line. `go test ./policy -run Golden -update` rewrites
// the golden files (see updating in golden_test.go). Together
// the files cover every code Validate reports.
func TestValidateGolden(t *testing.T) {
	root := filepath.Join("testdata", "validate")
	kinds, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	skipped := false
	for _, k := range kinds {
		if !k.IsDir() {
			continue
		}
		kind, err := ParseKind(k.Name())
		if err != nil {
			t.Errorf("testdata/validate/%s: %v", k.Name(), err)
			continue
		}
		files, err := os.ReadDir(filepath.Join(root, k.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			name := f.Name()
			path := filepath.Join(root, k.Name(), name)
			switch filepath.Ext(name) {
			case ".json", ".yaml", ".yml":
			case ".golden":
				if _, err := os.Stat(strings.TrimSuffix(path, ".golden")); err != nil {
					t.Errorf("%s has no input file", path)
				}
				continue
			default:
				t.Errorf("unexpected file %s", path)
				continue
			}
			t.Run(k.Name()+"/"+name, func(t *testing.T) {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				skipped = true // until Load returns
				fs := loadForTest(t, k.Name()+"/"+name, data, kind)
				skipped = false
				var b strings.Builder
				for _, f := range fs {
					b.WriteString(f.String())
					b.WriteByte('\n')
					seen[f.Code] = true
				}
				golden := path + ".golden"
				if updating() {
					if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./policy -run Golden -update)", err)
				}
				if b.String() != string(want) {
					t.Errorf("findings differ from %s:\n--- got\n%s--- want\n%s", golden, b.String(), want)
				}
			})
		}
	}
	if t.Failed() || skipped {
		return
	}
	for _, code := range validateCodes {
		if !seen[code] {
			t.Errorf("no file under testdata/validate shows %s", code)
		}
	}
}

// loadForTest runs Load, skipping the test while Parse is still a stub.
func loadForTest(t *testing.T, file string, data []byte, kind Kind) (fs Findings) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			if s, ok := r.(string); ok && strings.Contains(s, "not implemented") {
				t.Skip(s)
			}
			panic(r)
		}
	}()
	_, fs = Load(file, data, kind)
	if !slices.IsSortedFunc(fs, func(a, b Finding) int { return a.Line - b.Line }) {
		t.Errorf("findings of %s are not sorted", file)
	}
	return fs
}
