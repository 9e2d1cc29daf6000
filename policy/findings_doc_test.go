package policy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every finding code the package can report is documented, once, in
// docs/policy-findings.md, and the list documents no code the package does
// not have.
func TestFindingCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/policy-findings.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]int{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(policy\\.[a-z_]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]]++
	}
	for code, n := range documented {
		if n > 1 {
			t.Errorf("%s is documented %d times", code, n)
		}
	}

	// Codes in the package's source: Validate's constants and any
	// "policy.xxx" literal elsewhere (Parse's codes).
	inSource := slices.Clone(validateCodes)
	files, _ := filepath.Glob("*.go")
	lit := regexp.MustCompile(`"(policy\.[a-z_]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			inSource = append(inSource, m[1])
		}
	}
	for _, code := range inSource {
		if documented[code] == 0 {
			t.Errorf("%s is not documented in docs/policy-findings.md", code)
		}
	}
	for code := range documented {
		if !slices.Contains(inSource, code) {
			t.Errorf("docs/policy-findings.md documents %s, which the package never reports", code)
		}
	}
}
