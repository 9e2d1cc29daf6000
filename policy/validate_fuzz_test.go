package policy

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzValidate loads arbitrary input as each kind of policy: Validate never
// panics on a document Parse produced, and every finding it adds is
// complete and points at a real position. CI runs the seeds only (the
// validation corpus).
func FuzzValidate(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "validate", "*", "*.*"))
	for _, path := range seeds {
		if filepath.Ext(path) == ".golden" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(filepath.Base(path), data, uint8(0))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte, kind uint8) {
		k := Kind(kind % 6) // the five kinds and one unknown
		doc, fs := parseForTest(t, name, data)
		if doc == nil || fs.HasErrors() {
			return
		}
		for _, f := range Validate(doc, k) {
			if f.Code == "" || f.Message == "" || f.Pointer == "" || f.Line <= 0 || f.Col <= 0 || f.File != name {
				t.Errorf("incomplete finding %+v", f)
			}
		}
	})
}

// parseForTest runs Parse, skipping the test while Parse is still a stub.
func parseForTest(t *testing.T, name string, data []byte) (doc *Document, fs Findings) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			if s, ok := r.(string); ok && s == "policy.Parse: not implemented yet" {
				t.Skip(s)
			}
			panic(r)
		}
	}()
	return Parse(name, data)
}
