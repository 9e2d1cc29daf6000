package policy

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The -update flag rewrites golden files. It is registered here only when no
// other test file of the package has registered it already (package-level
// flag.Bool calls run before init functions), so that the package's golden
// tests share one flag.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

// updating reports whether the tests run with -update.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// maxGoldenLines is the longest canonical JSON a golden file holds in full;
// a longer one is recorded by its size and hash.
const maxGoldenLines = 300

// TestParseGolden parses every policy under testdata/parse and compares its
// findings (one Finding.String() per line) and canonical JSON with the
// .golden file beside it. Files named valid_* and sniff_* must parse without
// findings and round-trip; all others must have findings. Run
// `go test ./policy -run Golden -update` to rewrite the golden files.
func TestParseGolden(t *testing.T) {
	inputs := corpusFiles(t, "testdata/parse")
	codes := map[string]bool{}
	for _, path := range inputs {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			doc, fs := Parse(name, data)
			for _, f := range fs {
				codes[f.Code] = true
			}
			valid := strings.HasPrefix(name, "valid_") || strings.HasPrefix(name, "sniff_")
			if valid && len(fs) > 0 {
				t.Errorf("valid policy has findings:\n%v", fs)
			}
			if !valid && len(fs) == 0 {
				t.Errorf("invalid policy has no findings")
			}
			if valid && doc != nil {
				checkRoundTrip(t, doc)
			}
			got := renderGolden(t, doc, fs)
			golden := path + ".golden"
			if updating() {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update to accept):\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
	// The corpus shows every code Parse can report.
	for _, c := range []string{CodeSyntax, CodeDuplicateKey, CodeTooLarge, CodeTooManyStatements, CodeTooDeep,
		CodeTooManyElements, CodeWrongType, CodeUnknownElement, CodeMissingElement, CodeBadEffect,
		CodeBadPrincipal, CodeUnknownOperator, CodeEmptyValue} {
		if !codes[c] {
			t.Errorf("no file in testdata/parse shows %s", c)
		}
	}
}

// corpusFiles lists the inputs (not the .golden files) in dir.
func corpusFiles(t testing.TB, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && !strings.HasSuffix(e.Name(), ".golden") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no inputs in %s", dir)
	}
	return out
}

// renderGolden formats what Parse returned: the findings, then the
// document's canonical JSON.
func renderGolden(t *testing.T, doc *Document, fs Findings) []byte {
	var b bytes.Buffer
	b.WriteString("# findings\n")
	if len(fs) == 0 {
		b.WriteString("(none)\n")
	}
	for _, f := range fs {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	b.WriteString("# document\n")
	if doc == nil {
		b.WriteString("(nil)\n")
		return b.Bytes()
	}
	out, err := doc.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	if n := bytes.Count(out, []byte{'\n'}) + 1; n > maxGoldenLines {
		fmt.Fprintf(&b, "(%d statements; canonical JSON of %d lines, %d bytes, sha256 %x)\n",
			len(doc.Statements), n, len(out), sha256.Sum256(out))
		return b.Bytes()
	}
	b.Write(out)
	b.WriteByte('\n')
	return b.Bytes()
}

// checkRoundTrip checks that a document parsed without errors survives
// marshal → parse equal, and that marshalling is stable.
func checkRoundTrip(t testing.TB, doc *Document) {
	t.Helper()
	out1, err := doc.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	if len(out1) > MaxDocumentBytes {
		return // indentation made it too large to parse again
	}
	doc2, fs := Parse("roundtrip.json", out1)
	if fs.HasErrors() {
		t.Fatalf("reparse of canonical JSON has findings:\n%v\n%s", fs, out1)
	}
	if !Equal(doc, doc2) {
		t.Fatalf("reparse differs from the original:\n%s", out1)
	}
	out2, err := doc2.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON after reparse: %v", err)
	}
	if !bytes.Equal(out1, out2) {
		t.Fatalf("marshal is not stable:\n%s\n---\n%s", out1, out2)
	}
}
