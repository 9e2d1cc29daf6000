package suite

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/internal/input"
	"gatehouse.dev/gatehouse/internal/offline"
)

// Exit statuses of Runner.Run.
const (
	ExitPass    = 0 // every case passed
	ExitFail    = 1 // a case failed
	ExitInvalid = 2 // a suite could not be found or loaded
)

// Runner runs suites and reports in the manner of `go test -v`.
type Runner struct {
	// Stdout receives the report; Stderr receives problems with the
	// suites themselves and policy warnings.
	Stdout, Stderr io.Writer
	// Match, when not nil, selects the cases whose "suite/case" name it
	// matches.
	Match *regexp.Regexp
}

// Totals counts the outcome of a run.
type Totals struct {
	Passed, Failed, Broken int // Broken: suites that could not be loaded
}

// Run finds the suites under paths, runs them, and returns the exit status.
func (r *Runner) Run(paths []string) int {
	files, err := Find(paths)
	if err != nil {
		fmt.Fprintf(r.Stderr, "gatehouse test: %v\n", err)
		return ExitInvalid
	}
	if len(files) == 0 {
		fmt.Fprintf(r.Stderr, "gatehouse test: no test suites (files named *%s) in %s\n",
			strings.Join(Suffixes, ", *"), strings.Join(paths, ", "))
		return ExitInvalid
	}
	var total Totals
	ran := 0
	for _, f := range files {
		t, n := r.runFile(f)
		total.Passed += t.Passed
		total.Failed += t.Failed
		total.Broken += t.Broken
		ran += n
	}
	summary := fmt.Sprintf("%d passed, %d failed", total.Passed, total.Failed)
	if total.Broken > 0 {
		summary += fmt.Sprintf(", %d suite(s) could not be loaded", total.Broken)
	}
	fmt.Fprintln(r.Stdout, summary)
	if ran == 0 && r.Match != nil {
		fmt.Fprintf(r.Stderr, "gatehouse test: warning: no case matches --run %s\n", r.Match)
	}
	switch {
	case total.Broken > 0:
		return ExitInvalid
	case total.Failed > 0:
		return ExitFail
	}
	return ExitPass
}

// runFile loads and runs one suite file, returning its totals and the
// number of cases run.
func (r *Runner) runFile(file string) (Totals, int) {
	s, eng, err := r.load(file)
	if err != nil {
		fmt.Fprintln(r.Stderr, err)
		fmt.Fprintf(r.Stdout, "FAIL\t%s\t[cannot load]\n", file)
		return Totals{Broken: 1}, 0
	}
	var t Totals
	ran := 0
	for _, c := range s.Cases {
		full := s.Name + "/" + c.Name
		if r.Match != nil && !r.Match.MatchString(full) {
			continue
		}
		ran++
		fmt.Fprintf(r.Stdout, "=== RUN   %s\n", full)
		problems := Check(eng, c)
		if len(problems) == 0 {
			t.Passed++
			fmt.Fprintf(r.Stdout, "--- PASS: %s\n", full)
			continue
		}
		t.Failed++
		fmt.Fprintf(r.Stdout, "--- FAIL: %s\n", full)
		for _, p := range problems {
			fmt.Fprintf(r.Stdout, "    %s:%d: %s\n", filepath.Base(file), c.Line, indent(p, "        "))
		}
	}
	if t.Failed > 0 {
		fmt.Fprintf(r.Stdout, "FAIL\t%s\t%d passed, %d failed\n", file, t.Passed, t.Failed)
	} else {
		fmt.Fprintf(r.Stdout, "ok  \t%s\t%d passed\n", file, t.Passed)
	}
	return t, ran
}

// load reads a suite and compiles its policies, printing policy warnings.
func (r *Runner) load(file string) (*Suite, *engine.Engine, error) {
	data, err := offline.ReadFile(file, input.MaxBytes)
	if err != nil {
		return nil, nil, err
	}
	s, err := Parse(file, data)
	if err != nil {
		return nil, nil, err
	}
	eng, findings, err := offline.Compile(s.Policies)
	for _, f := range findings {
		fmt.Fprintln(r.Stderr, f.String())
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	return s, eng, nil
}

// Check runs one case and returns what did not go as expected, or nothing
// when it passed.
func Check(eng *engine.Engine, c *Case) []string {
	req := &c.Request.Engine
	d, fields := eng.DecideFields(req, c.Request.Fields, nil)
	var problems []string
	if d.String() != c.Expect || (c.Reason != "" && d.Reason.String() != c.Reason) {
		want := c.Expect
		if c.Reason != "" {
			want += " (" + c.Reason + ")"
		}
		problems = append(problems, fmt.Sprintf("want %s, got %s", want, offline.Describe(d)))
	} else if c.HasSid {
		switch {
		case d.By == nil:
			problems = append(problems, fmt.Sprintf("want the statement with Sid %q to decide, got %s", c.Sid, offline.Describe(d)))
		case d.By.Sid != c.Sid:
			problems = append(problems, fmt.Sprintf("want sid %q, got %s", c.Sid, offline.Describe(d)))
		}
	}
	got := map[string]engine.Decision{}
	for _, fd := range fields {
		got[fd.Field] = fd.Decision
	}
	for _, f := range c.Fields {
		fd, ok := got[f.Field]
		if !ok {
			problems = append(problems, fmt.Sprintf("field %s: want %s, got no decision", f.Field, f.Want))
			continue
		}
		if fd.String() != f.Want {
			problems = append(problems, fmt.Sprintf("field %s: want %s, got %s", f.Field, f.Want, offline.Describe(fd)))
		}
	}
	if len(c.ExplainContains) > 0 {
		x := eng.Explain(req, c.Request.Fields)
		if x.Decision.Reason != d.Reason {
			problems = append(problems, fmt.Sprintf("explain decided %s but decide %s: an engine bug", offline.Describe(x.Decision), offline.Describe(d)))
		}
		text := x.Text()
		missing := false
		for _, s := range c.ExplainContains {
			if !strings.Contains(text, s) {
				problems = append(problems, fmt.Sprintf("explanation does not contain %q", s))
				missing = true
			}
		}
		if missing {
			problems = append(problems, "the explanation:\n"+strings.TrimRight(text, "\n"))
		}
	}
	return problems
}

// indent indents every non-empty line of s after the first.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = prefix + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
