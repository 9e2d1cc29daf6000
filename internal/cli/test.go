package cli

import (
	"flag"
	"regexp"

	"gatehouse.dev/gatehouse/internal/suite"
)

func init() {
	register(&command{
		name:     "test",
		synopsis: "test [--run REGEXP] [PATH...]",
		summary:  "run policy test suites (*_test.yaml, *_test.yml, *_test.json)",
		details: `
Runs the policy test suites in the given files and directories (default: the
current directory). Directories are searched recursively for files named
*_test.yaml, *_test.yml or *_test.json, skipping directories named testdata
or starting with '.' or '_' (as the go tool does); a file named explicitly is
run whatever its name. A suite lists its policy files (relative to the suite)
and cases:

  name: loopback roles
  policies: [policy.json]
  resource_policies: []        # also boundary: [], session: []
  cases:
    - name: admin may delete
      request: {principal: {id: ann, roles: [admin]}, action: ..., resource: ...}
      expect: allow            # or deny
      reason: allowed          # optional: allowed, explicit_deny, implicit_deny
      sid: AdminAll            # optional: the deciding statement's Sid
      fields: {email: allow}   # optional
      explain_contains: [...]  # optional: text the explanation must contain

The report follows go test -v: === RUN, --- PASS, --- FAIL with what differed,
a line per suite and a total.

Exit status: 0 when every case passes, 1 when one fails, 2 when a suite
cannot be found or loaded.`,
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			o := &testOptions{}
			fs.StringVar(&o.run, "run", "", "run only the cases whose suite/case name matches `regexp`")
			return o.runTests
		},
	})
}

type testOptions struct {
	run string
}

func (o *testOptions) runTests(e *env, args []string) int {
	r := &suite.Runner{Stdout: e.stdout, Stderr: e.stderr}
	if o.run != "" {
		re, err := regexp.Compile(o.run)
		if err != nil {
			return e.fail("--run: %v", err)
		}
		r.Match = re
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	return r.Run(args)
}
