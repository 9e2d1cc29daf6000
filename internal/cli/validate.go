package cli

import (
	"encoding/json"
	"flag"
	"fmt"

	"gatehouse.dev/gatehouse/internal/offline"
	"gatehouse.dev/gatehouse/policy"
)

func init() {
	register(&command{
		name:     "validate",
		synopsis: "validate [--kind identity|resource|boundary|session|trust] [--format text|json] FILE...",
		summary:  "check policy files for errors and likely mistakes",
		details: `
Checks each policy file (JSON or YAML; - reads standard input) as a policy of
the given kind and prints every finding, errors (what IAM would reject) and
warnings (legal but almost certainly a mistake), each as
file:line:col: severity: message [code] (at /json/pointer).

With --format json: {"files": [{"file", "findings": [...]}], "errors": N,
"warnings": N}.

Exit status: 0 when there are no errors (warnings allowed), 1 when there are,
2 on a usage error or a file that cannot be read.`,
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			o := &validateOptions{kind: "identity"}
			fs.StringVar(&o.kind, "kind", o.kind, "the policy `kind`: identity, resource, boundary, session or trust")
			fs.Var(&o.format, "format", "output `format`: text or json")
			return o.run
		},
	})
}

type validateOptions struct {
	kind   string
	format format
}

// fileReport is one file's findings in validate's JSON output.
type fileReport struct {
	File     string          `json:"file"`
	Findings policy.Findings `json:"findings"`
}

func (o *validateOptions) run(e *env, args []string) int {
	kind, err := policy.ParseKind(o.kind)
	if err != nil {
		return e.fail("--kind: %v", err)
	}
	if len(args) == 0 {
		return e.fail("no files: gatehouse validate [--kind K] FILE...")
	}
	// Read every file first, so an unreadable one fails the run before
	// anything is printed.
	datas := make([][]byte, len(args))
	names := make([]string, len(args))
	stdinUsed := false
	failed := false
	for i, f := range args {
		names[i] = f
		if f == "-" {
			if stdinUsed {
				return e.fail("- given twice: standard input can be read once")
			}
			stdinUsed = true
			names[i] = "<stdin>"
			datas[i], err = offline.ReadAll(e.stdin, names[i], policy.MaxDocumentBytes)
		} else {
			datas[i], err = offline.ReadFile(f, policy.MaxDocumentBytes)
		}
		if err != nil {
			e.errorf("%v", err)
			failed = true
		}
	}
	if failed {
		return exitUsage
	}

	reports := make([]fileReport, len(args))
	errs, warns := 0, 0
	for i := range args {
		_, fs := policy.Load(names[i], datas[i], kind)
		if fs == nil {
			fs = policy.Findings{}
		}
		reports[i] = fileReport{File: names[i], Findings: fs}
		for _, f := range fs {
			if f.Severity == policy.SeverityError {
				errs++
			} else {
				warns++
			}
		}
	}
	if o.format.or("text") == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		out := struct {
			Files    []fileReport `json:"files"`
			Errors   int          `json:"errors"`
			Warnings int          `json:"warnings"`
		}{reports, errs, warns}
		if err := enc.Encode(out); err != nil {
			return e.fail("writing the result: %v", err)
		}
	} else {
		for _, r := range reports {
			for _, f := range r.Findings {
				fmt.Fprintln(e.stdout, f.String())
			}
		}
		fmt.Fprintf(e.stdout, "%s: %s, %s\n", plural(len(args), "file"), plural(errs, "error"), plural(warns, "warning"))
	}
	if errs > 0 {
		return exitNo
	}
	return exitOK
}

// plural returns "1 file", "2 files", "no files".
func plural(n int, noun string) string {
	switch n {
	case 0:
		return "no " + noun + "s"
	case 1:
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
