// Package cli is the gatehouse command line: eval, explain, validate, test,
// version and help (API.md §4). cmd/gatehouse only calls Run, so that the
// whole CLI can be tested in process, exit codes included.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Exit statuses.
const (
	// exitOK: allowed, no errors, every test passed.
	exitOK = 0
	// exitNo: denied (eval, explain), errors found (validate), a test
	// failed (test).
	exitNo = 1
	// exitUsage: invalid input: a bad flag, an unreadable or malformed
	// file, an invalid policy, a suite that cannot be loaded.
	exitUsage = 2
)

// env is what a command reads and writes.
type env struct {
	name   string // the command, for messages: "eval"
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errorf reports a problem on stderr, prefixed with the command.
func (e *env) errorf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "gatehouse %s: %s\n", e.name, fmt.Sprintf(format, args...))
}

// fail reports a problem and returns exitUsage.
func (e *env) fail(format string, args ...any) int {
	e.errorf(format, args...)
	return exitUsage
}

// command is one subcommand. flags defines the command's flags on fs and
// returns the function that runs the command once they are parsed, with
// the remaining arguments.
type command struct {
	name     string
	synopsis string // after "gatehouse "
	summary  string // one line, for the command list
	details  string // paragraphs for `gatehouse help <command>`
	flags    func(fs *flag.FlagSet) func(e *env, args []string) int
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// Run runs the gatehouse command line with args (without the program
// name) and returns the exit status.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	case "-version", "--version":
		args = []string{"version"}
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gatehouse: unknown command %q\nRun 'gatehouse help' for the list of commands.\n", args[0])
		return exitUsage
	}
	e := &env{name: c.name, stdin: stdin, stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	run := c.flags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commandHelp(stdout, c)
			return exitOK
		}
		e.errorf("%v", err)
		fmt.Fprintf(stderr, "Run 'gatehouse help %s' for usage.\n", c.name)
		return exitUsage
	}
	rest := fs.Args()
	// Go's flag package stops at the first argument that is not a flag;
	// a flag after a file name would silently become a file name.
	for _, a := range rest {
		if strings.HasPrefix(a, "-") && a != "-" {
			e.errorf("flag %s comes after a file name: put flags first (usage: gatehouse %s)", a, c.synopsis)
			return exitUsage
		}
	}
	return run(e, rest)
}

// stdoutIsTerminal reports whether w is a terminal, which makes text the
// default output of eval.
func stdoutIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `gatehouse decides and explains authorization requests against policies
written in the AWS IAM policy language.

Usage:
  gatehouse <command> [flags] [arguments]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return order(names[i]) < order(names[j]) })
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Flags come before file arguments. Run 'gatehouse help <command>' for a
command's flags and exit status.
`)
}

// order lists commands in the order a newcomer needs them.
func order(name string) int {
	for i, n := range []string{"eval", "explain", "validate", "test", "serve", "version", "help"} {
		if n == name {
			return i
		}
	}
	return 100
}

// commandHelp prints a command's synopsis, details and flags.
func commandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: gatehouse %s\n\n%s\n", c.synopsis, strings.TrimSpace(c.details))
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprint(w, "\nFlags:\n")
			first = false
		}
		name, text := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(w, "  --%s%s\n        %s\n", f.Name, name, strings.ReplaceAll(text, "\n", "\n        "))
	})
}

func init() {
	register(&command{
		name:     "help",
		synopsis: "help [command]",
		summary:  "show help for gatehouse or one command",
		details:  "Shows the list of commands, or one command's flags and exit status.",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			return func(e *env, args []string) int {
				switch len(args) {
				case 0:
					usage(e.stdout)
					return exitOK
				case 1:
					c, ok := commands[args[0]]
					if !ok {
						return e.fail("unknown command %q; the commands are eval, explain, validate, test, version, help", args[0])
					}
					commandHelp(e.stdout, c)
					return exitOK
				}
				return e.fail("give one command, e.g. gatehouse help eval")
			}
		},
	})
}
