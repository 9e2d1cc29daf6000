package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gatehouse.dev/gatehouse/client"
	"gatehouse.dev/gatehouse/examples"
	"gatehouse.dev/gatehouse/server"
)

func init() { LoadDemo = loadDemo }

// loadDemo is `gatehouse serve --demo`: it loads every example that has a
// store.yaml into a store named after its folder, and the LoopBack one into
// the default store too, through the HTTP API as any client would; then it
// prints curl commands to try. Loading is idempotent: what the stores hold
// already is not written again, so a restart leaves every revision alone.
func loadDemo(ctx context.Context, d Demo) error {
	scenarios, err := readScenarios(examples.FS)
	if err != nil {
		return fmt.Errorf("reading the examples: %w", err)
	}
	c, err := client.New(d.BaseURL, d.AdminKey)
	if err != nil {
		return err
	}
	// The LoopBack scenario first: the default store is the quick start's.
	first := func(sc *scenario) int {
		if sc.Dir == demoLoopBack {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(scenarios, func(a, b *scenario) int { return cmp.Compare(first(a), first(b)) })
	var done []*applied
	for _, sc := range scenarios {
		targets := []string{sc.Store}
		if sc.Dir == demoLoopBack {
			targets = []string{server.DefaultStore, sc.Store}
		}
		for _, id := range targets {
			a, err := applyScenario(ctx, c, id, sc)
			if err != nil {
				return err
			}
			done = append(done, a)
		}
	}
	printDemo(d, done)
	return nil
}

// printDemo prints what was loaded and the curl commands of the quick
// start: an allowed check, a denied check and explanations, on the
// default store (the LoopBack scenario).
func printDemo(d Demo, done []*applied) {
	w := d.Out
	if w == nil {
		w = io.Discard
	}
	fmt.Fprintf(w, "\ngatehouse --demo: the examples are loaded (examples/<name>/README.md says what each shows)\n\n")
	for _, a := range done {
		what := "unchanged"
		if a.Written > 0 {
			what = fmt.Sprintf("%d objects written", a.Written)
		}
		fmt.Fprintf(w, "  store %-20s revision %-3d from examples/%s (%s)\n", a.Store, a.Revision, a.Scenario, what)
		for _, warning := range a.Warnings {
			fmt.Fprintf(w, "      warning: %s\n", warning)
		}
	}

	fmt.Fprintf(w, "\nTry it. Every call needs the admin key:\n\n")
	if os.Getenv(adminKeyEnv) != "" {
		fmt.Fprintf(w, "  # $%s is set in this shell already (the server took its key from it)\n", adminKeyEnv)
	} else {
		fmt.Fprintf(w, "  export %s=\"$(cat %s)\"\n", adminKeyEnv, shellQuote(filepath.Join(d.DataDir, adminKeyFile)))
	}
	base := d.BaseURL + "/v1/stores/" + server.DefaultStore
	cmd := func(comment, endpoint, body string) {
		fmt.Fprintf(w, "\n  # %s\n", comment)
		fmt.Fprintf(w, "  curl -s %s/%s \\\n", base, endpoint)
		fmt.Fprintf(w, "    -H \"Authorization: Bearer $%s\" -H 'Content-Type: application/json' \\\n", adminKeyEnv)
		fmt.Fprintf(w, "    -d '%s'\n", body)
	}
	check := func(user string) string {
		return fmt.Sprintf(`{"principal": {"type": "user", "id": "%s"}, "action": "orders:deleteById", "resource": {"name": "orders:Order/17"}}`, user)
	}
	cmd("allowed: user 1 holds the role admin through a role mapping", "check", check("1"))
	cmd("denied: user 2 holds no role that allows it (denied by default)", "check", check("2"))
	cmd("why: the roles with where each comes from, the deciding statement, the engine's trace", "explain", check("1"))
	cmd("and why not", "explain", check("2"))
	fmt.Fprintf(w, "\n  # tokens: user 1 gets a password and logs in (OAuth 2.0 password grant, the admin key as client \"admin\");\n")
	fmt.Fprintf(w, "  # the token is then the subject of checks\n")
	fmt.Fprintf(w, "  curl -s -X PUT %s/users/1/password \\\n", base)
	fmt.Fprintf(w, "    -H \"Authorization: Bearer $%s\" -H 'Content-Type: application/json' \\\n", adminKeyEnv)
	fmt.Fprintf(w, "    -d '{\"password\": \"%s\"}'\n", demoPassword)
	fmt.Fprintf(w, "  TOKEN=$(curl -s %s/oauth2/token -u \"admin:$%s\" \\\n", base, adminKeyEnv)
	fmt.Fprintf(w, "    -d grant_type=password -d username=1 --data-urlencode 'password=%s' \\\n", demoPassword)
	fmt.Fprintf(w, "    | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')\n")
	cmd("allowed, with the token", "check", `{"token": "'"$TOKEN"'", "action": "orders:deleteById", "resource": {"name": "orders:Order/17"}}`)
	cmd("who is this? the claims, the principal, every role and where it came from, every variable, what it may do", "whoami", `{"token": "'"$TOKEN"'"}`)
	fmt.Fprintf(w, "\n  # the other stores: replace /stores/default/ with /stores/<name>/, e.g.\n")
	fmt.Fprintf(w, "  curl -s %s/v1/stores/region-mismatch/explain \\\n", d.BaseURL)
	fmt.Fprintf(w, "    -H \"Authorization: Bearer $%s\" -H 'Content-Type: application/json' \\\n", adminKeyEnv)
	fmt.Fprintf(w, "    -d '%s'\n", `{"principal": {"type": "user", "id": "cognito:us-east-1:3f1c0e2a"}, "action": "dynamodb:Scan", "resource": {"name": "arn:aws:dynamodb:us-east-1:123456789012:table/VideoCatalog"}}`)
	fmt.Fprintf(w, "\n  # docs/api.md describes every endpoint, `gatehouse help serve` the flags.\n\n")
}

// demoPassword is the password the printed commands give user 1.
const demoPassword = "correct horse battery staple"

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@+=,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
