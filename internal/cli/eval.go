package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"gatehouse.dev/gatehouse/internal/input"
	"gatehouse.dev/gatehouse/internal/offline"
	"gatehouse.dev/gatehouse/policy"
)

const evalDetails = `
Decides one request against policy files, offline. The request file (JSON or
YAML; - reads standard input) holds:

  principal  {"type": "user", "id": "alice", "roles": [...], "groups": [...],
             "attributes": {...}} or a plain id; type defaults to "user";
             leave it out for an anonymous request
  claims     the token's claims, read as jwt:<claim> (nested objects as a.b.c)
  action     e.g. "s3:GetObject"
  resource   {"name": "...", "type": "...", "attributes": {...}} or a plain name
  fields     field names, each decided as the action on "<resource>#<field>"
  context    any other condition key, reserved ones included (principal:,
             jwt:, resource:) to simulate what the server fills

Unknown fields are an error. The output is JSON when standard output is not a
terminal: {"decision", "reason", "statements", "fields", "trace"}.

Exit status: 0 allow, 1 deny, 2 invalid input or invalid policy (the error on
standard error, nothing on standard output).`

func init() {
	register(&command{
		name:     "eval",
		synopsis: "eval [--policy F]... [--resource-policy F]... [--boundary F]... [--session F]... --request F [--explain] [--format json|text]",
		summary:  "decide a request against policy files",
		details:  evalDetails,
		flags:    func(fs *flag.FlagSet) func(*env, []string) int { return evalFlags(fs, false) },
	})
	register(&command{
		name:     "explain",
		synopsis: "explain [--policy F]... [--resource-policy F]... [--boundary F]... [--session F]... --request F [--format text|json]",
		summary:  "decide a request and explain why, with near-miss hints",
		details: `
Like eval --explain, with text output by default: each statement that could
apply and why it did or did not, the variables and keys the request carries,
and hints for near misses (a resource that differs only in region, account or
case; a variable the request does not carry).
` + evalDetails[strings.Index(evalDetails, "The request file"):],
		flags: func(fs *flag.FlagSet) func(*env, []string) int { return evalFlags(fs, true) },
	})
}

// evalOptions are the flags of eval and explain.
type evalOptions struct {
	identity, resource, boundary, session fileList
	request                               string
	explain                               bool
	format                                format
}

func evalFlags(fs *flag.FlagSet, explain bool) func(*env, []string) int {
	o := &evalOptions{explain: explain}
	fs.Var(&o.identity, "policy", "an identity policy `file` (repeatable)")
	fs.Var(&o.resource, "resource-policy", "a resource policy `file`, with Principal (repeatable)")
	fs.Var(&o.boundary, "boundary", "a permissions boundary `file`; several make one boundary")
	fs.Var(&o.session, "session", "a session policy `file`; several make one session policy")
	fs.StringVar(&o.request, "request", "", "the request `file`, JSON or YAML; - for standard input")
	if !explain {
		fs.BoolVar(&o.explain, "explain", false, "include the trace (as the explain command does)")
	}
	fs.Var(&o.format, "format", "output `format`: json or text")
	return o.run
}

func (o *evalOptions) run(e *env, args []string) int {
	if len(args) > 0 {
		return e.fail("unexpected argument %q: give files with --policy and --request", args[0])
	}
	if o.request == "" {
		return e.fail("missing --request FILE (- reads standard input)")
	}
	if len(o.identity)+len(o.resource) == 0 {
		return e.fail("no policies: give --policy FILE (identity) or --resource-policy FILE")
	}
	def := "json"
	if e.name == "explain" || stdoutIsTerminal(e.stdout) {
		def = "text"
	}
	outFormat := o.format.or(def)

	req, code := o.readRequest(e)
	if req == nil {
		return code
	}
	var specs []offline.Spec
	for _, set := range []struct {
		files fileList
		kind  policy.Kind
	}{{o.identity, policy.KindIdentity}, {o.resource, policy.KindResource}, {o.boundary, policy.KindBoundary}, {o.session, policy.KindSession}} {
		for _, f := range set.files {
			specs = append(specs, offline.Spec{Path: f, Kind: set.kind})
		}
	}
	eng, findings, err := offline.Compile(specs)
	for _, f := range findings {
		fmt.Fprintln(e.stderr, f.String())
	}
	if err != nil {
		return e.fail("%v", err)
	}

	// Explain reaches exactly Decide's decision and also lists every
	// statement that took part, which the output's "statements" reports.
	x := eng.Explain(&req.Engine, req.Fields)
	res := offline.NewResult(x, req.Fields, o.explain)
	if outFormat == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return e.fail("writing the result: %v", err)
		}
	} else if o.explain {
		fmt.Fprint(e.stdout, strings.TrimRight(x.Text(), "\n")+"\n")
	} else {
		writeText(e.stdout, res, req.Fields)
	}
	if x.Decision.Allowed() {
		return exitOK
	}
	return exitNo
}

// readRequest reads and decodes the request file. On failure it reports
// the problem and returns nil and the exit status.
func (o *evalOptions) readRequest(e *env) (*offline.Request, int) {
	var (
		data []byte
		err  error
		name = o.request
	)
	if name == "-" {
		name = "<stdin>"
		data, err = offline.ReadAll(e.stdin, name, input.MaxBytes)
	} else {
		data, err = offline.ReadFile(name, input.MaxBytes)
	}
	if err != nil {
		return nil, e.fail("cannot read the request: %v", err)
	}
	req, err := offline.ParseRequest(name, data)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return nil, e.fail("invalid request file %s", name)
	}
	return req, exitOK
}

// writeText prints a result for a person, fields in the order asked.
func writeText(w io.Writer, res *offline.Result, fields []string) {
	fmt.Fprintf(w, "%s (%s)\n", res.Decision, res.Reason)
	if len(res.Statements) == 0 {
		fmt.Fprintln(w, "  no statement allowed the request")
	}
	for _, s := range res.Statements {
		fmt.Fprintf(w, "  %s by %s\n", strings.ToLower(s.Effect), s)
	}
	if len(fields) > 0 {
		fmt.Fprintln(w, "fields:")
		for _, f := range fields {
			fmt.Fprintf(w, "  %s: %s\n", f, res.Fields[f])
		}
	}
}
