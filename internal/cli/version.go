package cli

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

func init() {
	register(&command{
		name:     "version",
		synopsis: "version",
		summary:  "print the version",
		details:  "Prints gatehouse's version, the VCS revision it was built from when known, and the Go version.",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			return func(e *env, args []string) int {
				if len(args) > 0 {
					return e.fail("version takes no arguments")
				}
				fmt.Fprintln(e.stdout, versionString())
				return exitOK
			}
		},
	})
}

// versionString returns "gatehouse <module version> [<revision>] <go version> <os>/<arch>".
func versionString() string {
	v := "(devel)"
	rev := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("gatehouse %s%s %s %s/%s", v, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
