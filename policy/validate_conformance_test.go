package policy

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// The IAM conformance corpus (engine/testdata/iam-cases.jsonl) holds
// policies whose outcome the IAM User Guide documents. Every policy of a
// case IAM evaluates must validate without errors, and every case IAM
// refuses ("expect": "error") must have one.
func TestValidateConformanceCorpus(t *testing.T) {
	f, err := os.Open("../engine/testdata/iam-cases.jsonl")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	kinds := map[string]Kind{"identity": KindIdentity, "boundary": KindBoundary, "session": KindSession, "resource": KindResource}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		var c struct {
			ID       string                       `json:"id"`
			Expect   string                       `json:"expect"`
			Policies map[string][]json.RawMessage `json:"policies"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		n++
		var errs Findings
		for set, docs := range c.Policies {
			kind, ok := kinds[set]
			if !ok {
				t.Errorf("%s: unknown policy set %q", c.ID, set)
				continue
			}
			for i, raw := range docs {
				_, fs := Load(fmt.Sprintf("%s/%s/%d.json", c.ID, set, i), raw, kind)
				errs = append(errs, fs.Errors()...)
			}
		}
		switch {
		case c.Expect == "error" && len(errs) == 0:
			t.Errorf("%s: IAM refuses this policy, Validate finds no error", c.ID)
		case c.Expect != "error" && len(errs) > 0:
			t.Errorf("%s: IAM evaluates this policy, Validate finds errors:\n%v", c.ID, errs)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Errorf("read %d cases, want the whole corpus", n)
	}
}
