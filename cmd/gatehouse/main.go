// Command gatehouse decides and explains authorization requests against
// policies in the AWS IAM policy language, validates policies, and runs
// policy test suites. Run `gatehouse help` for the commands.
package main

import (
	"os"

	"gatehouse.dev/gatehouse/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
