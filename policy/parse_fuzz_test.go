package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every finding is well
// formed, and that a document parsed without errors survives
// marshal → parse unchanged (Equal) with a stable canonical form
// (marshal(parse(marshal(d))) == marshal(d)). It is seeded with the
// policies under testdata/parse; yaml chooses the format by file name.
func FuzzParse(f *testing.F) {
	for _, path := range corpusFiles(f, "testdata/parse") {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 4096 {
			continue // the fuzzer mutates large seeds slowly
		}
		ext := filepath.Ext(path)
		f.Add(data, ext == ".yaml" || ext == ".yml")
	}
	f.Fuzz(func(t *testing.T, data []byte, yaml bool) {
		file := "fuzz.json"
		if yaml {
			file = "fuzz.yaml"
		}
		doc, fs := Parse(file, data)
		for _, fd := range fs {
			if fd.File != file || !strings.HasPrefix(fd.Code, "policy.") || fd.Message == "" || fd.Line < 0 || fd.Col < 0 {
				t.Fatalf("malformed finding %+v", fd)
			}
			if fd.Pointer != "" && !strings.HasPrefix(fd.Pointer, "/") {
				t.Fatalf("finding pointer %q is not a JSON pointer", fd.Pointer)
			}
		}
		if doc == nil {
			if !fs.HasErrors() {
				t.Fatalf("nil document without an error")
			}
			return
		}
		if fs.HasErrors() {
			// A partial document must still marshal (or refuse) without
			// panicking.
			_, _ = doc.MarshalJSON()
			return
		}
		checkRoundTrip(t, doc)
	})
}
