package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/client"
	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/examples"
	"gatehouse.dev/gatehouse/internal/offline"
	"gatehouse.dev/gatehouse/internal/suite"
)

// waitFor waits until buf holds want (the demo loads after the server
// listens).
func waitFor(t *testing.T, buf *lockedBuffer, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(buf.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output:\n%s", want, buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return buf.String()
}

// demoEnd is the last line the demo prints.
const demoEnd = "the flags."

// storeRevisions returns every store's revision.
func storeRevisions(t *testing.T, c *client.Client) map[string]int64 {
	t.Helper()
	stores, err := client.All(t.Context(), c.ListStores)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, s := range stores {
		out[s.ID] = s.Revision
	}
	return out
}

// TestDemo runs `gatehouse serve --demo` twice on one data directory: the
// first start loads every example, the printed curl commands work as
// printed, checks over HTTP decide as `gatehouse test` does offline, and
// the second start writes nothing.
func TestDemo(t *testing.T) {
	t.Setenv(adminKeyEnv, "")
	data := filepath.Join(t.TempDir(), "data")
	base, _, stdout, stop := startServe(t, "--data", data, "--demo")
	out := waitFor(t, stdout, demoEnd)
	key, err := os.ReadFile(filepath.Join(data, adminKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(base, strings.TrimSpace(string(key)))
	if err != nil {
		t.Fatal(err)
	}
	scenarios, err := readScenarios(examples.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(scenarios) != 6 {
		t.Errorf("%d examples have a %s, want all 6", len(scenarios), demoFile)
	}

	t.Run("every example loads", func(t *testing.T) {
		for _, sc := range scenarios {
			stores := []string{sc.Store}
			if sc.Dir == demoLoopBack {
				stores = append(stores, "default")
			}
			for _, id := range stores {
				checkLoaded(t, c, id, sc)
				if !strings.Contains(out, "store "+id+" ") {
					t.Errorf("the demo does not mention store %s:\n%s", id, out)
				}
			}
		}
	})

	t.Run("the printed curl commands", func(t *testing.T) {
		runCurls(t, out)
	})

	t.Run("the example READMEs' commands", func(t *testing.T) {
		runReadmeCurls(t, base, strings.TrimSpace(string(key)))
	})

	t.Run("HTTP decides as gatehouse test", func(t *testing.T) {
		for _, sc := range scenarios {
			compareWithOffline(t, c.Store(sc.Store), sc)
		}
	})

	before := storeRevisions(t, c)
	if code := stop(); code != exitOK {
		t.Fatalf("serve exited with %d", code)
	}

	// A second start on the same data changes nothing.
	base, _, stdout, stop = startServe(t, "--data", data, "--demo")
	out = waitFor(t, stdout, demoEnd)
	c, _ = client.New(base, strings.TrimSpace(string(key)))
	if after := storeRevisions(t, c); !mapsEqual(before, after) {
		t.Errorf("the second --demo changed revisions:\nbefore %v\nafter  %v", before, after)
	}
	if n := strings.Count(out, "(unchanged)"); n != len(before) {
		t.Errorf("the second --demo says %d stores unchanged, want %d:\n%s", n, len(before), out)
	}
	if code := stop(); code != exitOK {
		t.Fatalf("serve exited with %d", code)
	}
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// checkLoaded checks that store id holds every object of sc as described.
func checkLoaded(t *testing.T, c *client.Client, id string, sc *scenario) {
	t.Helper()
	ctx := t.Context()
	for _, o := range sc.Objects {
		have, err := listRaw(ctx, c, id, o.Collection)
		if err != nil {
			t.Fatal(err)
		}
		if !same(have[o.ID], o.Value) {
			t.Errorf("store %s: %s/%s is %v, want %+v", id, o.Collection, o.ID, have[o.ID], o.Value)
		}
	}
	for _, m := range sc.Mappings {
		got, err := client.All(ctx, c.Store(id).RoleMappings(client.RoleMappingFilter{PrincipalType: m.PrincipalType, PrincipalID: m.PrincipalID, Role: m.Role}))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Errorf("store %s: %d role mappings %s %s → %s, want 1", id, len(got), m.PrincipalType, m.PrincipalID, m.Role)
		}
	}
}

// runCurls runs the commands the demo printed, as a user pasting them
// would, and checks what each answers.
func runCurls(t *testing.T, out string) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl on this machine")
	}
	_, script, ok := strings.Cut(out, "Every call needs the admin key:\n")
	if !ok {
		t.Fatalf("no commands in the demo output:\n%s", out)
	}
	cmd := exec.CommandContext(t.Context(), "sh", "-e", "-c", script)
	cmd.Env = append(os.Environ(), adminKeyEnv+"=")
	cmd.Dir = t.TempDir()
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("the printed commands failed: %v\n%s\n%s", err, script, got)
	}
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	// allow, deny, explain, explain, the password's revision, the check
	// with the token, whoami, the other store's explain.
	if len(lines) != 8 {
		t.Fatalf("the printed commands answered %d lines, want 8:\n%s", len(lines), got)
	}
	var answers [8]struct {
		Decision string
		Reason   string
		Revision int64
		Roles    []struct{ Role, Via string }
		Trace    struct {
			Summary string
			Hints   []struct{ Code string }
		}
		Principal struct{ Type, ID string }
		Claims    map[string]any
		Text      string
	}
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &answers[i]); err != nil {
			t.Fatalf("answer %d is not JSON: %v\n%s", i+1, err, l)
		}
	}
	want := []string{"allow", "deny", "allow", "deny", "", "allow", "", "deny"}
	for i, a := range answers {
		if a.Decision != want[i] {
			t.Errorf("command %d decided %q, want %q:\n%s", i+1, a.Decision, want[i], lines[i])
		}
	}
	if answers[4].Revision == 0 {
		t.Errorf("setting the password answered no revision:\n%s", lines[4])
	}
	if w := answers[6]; w.Principal.ID != "1" || w.Claims["sub"] != "1" || !strings.Contains(w.Text, "ALLOW orders:* on orders:Order/*") {
		t.Errorf("whoami of user 1's token:\n%s", lines[6])
	}
	if !slices.ContainsFunc(answers[2].Roles, func(r struct{ Role, Via string }) bool {
		return r.Role == "admin" && strings.Contains(r.Via, "admin via role mapping") && strings.Contains(r.Via, "USER 1 → admin")
	}) {
		t.Errorf("the explanation of user 1 does not say which mapping gave admin:\n%s", lines[2])
	}
	if answers[3].Reason != "implicit_deny" || answers[3].Trace.Summary == "" {
		t.Errorf("the explanation of user 2 does not say why:\n%s", lines[3])
	}
	if len(answers[7].Trace.Hints) == 0 || answers[7].Trace.Hints[0].Code != "hint.arn_segment" {
		t.Errorf("the region-mismatch explanation lacks its near-miss hint:\n%s", lines[7])
	}
}

// readmeDecisions is what the command of each example README's "In the
// server" section decides.
var readmeDecisions = map[string]string{
	"loopback-roles":     "allow",
	"region-mismatch":    "deny",
	"graphql-fields":     "allow",
	"dynamodb-tenant":    "deny",
	"s3-org-prefix":      "deny",
	"wrong-sub-variable": "deny",
}

// runReadmeCurls runs the curl command of each example README's "In the
// server" section against the demo server at base.
func runReadmeCurls(t *testing.T, base, key string) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl on this machine")
	}
	for dir, want := range readmeDecisions {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", dir, "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		_, section, ok := strings.Cut(string(data), "## In the server")
		_, script, ok2 := strings.Cut(section, "```sh\n")
		script, _, ok3 := strings.Cut(script, "```")
		if !ok || !ok2 || !ok3 {
			t.Errorf("examples/%s/README.md has no command in an \"In the server\" section", dir)
			continue
		}
		script = strings.ReplaceAll(script, "http://127.0.0.1:8420", base)
		cmd := exec.CommandContext(t.Context(), "sh", "-e", "-c", script)
		cmd.Env = append(os.Environ(), adminKeyEnv+"="+key)
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("examples/%s/README.md: %v\n%s", dir, err, out)
			continue
		}
		var answer struct {
			Decision string
			Roles    []struct{ Role, Via string }
			Fields   map[string]string
			Trace    struct{ Hints []struct{ Code string } }
		}
		if err := json.Unmarshal(out, &answer); err != nil || answer.Decision != want {
			t.Errorf("examples/%s/README.md: the command answers %s, want %s: %v\n%s", dir, answer.Decision, want, err, out)
			continue
		}
		switch dir {
		case "loopback-roles":
			if !slices.ContainsFunc(answer.Roles, func(r struct{ Role, Via string }) bool { return strings.Contains(r.Via, "GROUP ops → admin") }) {
				t.Errorf("loopback-roles: user 4's admin role is not from the group ops: %s", out)
			}
		case "graphql-fields":
			if answer.Fields["email"] != "allow" || answer.Fields["firstName"] != "deny" {
				t.Errorf("graphql-fields: fields %v", answer.Fields)
			}
		case "region-mismatch":
			if len(answer.Trace.Hints) == 0 || answer.Trace.Hints[0].Code != "hint.arn_segment" {
				t.Errorf("region-mismatch: no near-miss hint: %s", out)
			}
		}
	}
}

// reservedKey reports whether a context key is one gatehouse fills itself,
// which a check over HTTP may not send.
func reservedKey(k string) bool {
	lk := strings.ToLower(k)
	return strings.HasPrefix(lk, "principal:") || strings.HasPrefix(lk, "jwt:") || strings.HasPrefix(lk, "resource:") ||
		lk == "request:time" || lk == "request:ip"
}

// compareWithOffline runs the cases of sc's suites offline, as `gatehouse
// test` does, and over HTTP against sc's store, and checks that both
// decide alike. Over HTTP the server resolves the subject's roles from
// the store (the request's asserted roles are left out: reproducing them is
// the store's job), and a check carries no token claims and no reserved
// context keys; a case whose offline decision depends on those (the claim
// cases, until trusted issuers arrive) is skipped. Every example must have
// at least one case compared.
func compareWithOffline(t *testing.T, s *client.Store, sc *scenario) {
	t.Helper()
	compared := 0
	for _, name := range sc.Desc.Suites {
		file := filepath.Join("..", "..", "examples", sc.Dir, name)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		st, err := suite.Parse(file, data)
		if err != nil {
			t.Fatal(err)
		}
		eng, _, err := offline.Compile(st.Policies)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range st.Cases {
			if problems := suite.Check(eng, c); len(problems) > 0 {
				t.Errorf("%s: %s fails offline: %v", file, c.Name, problems)
				continue
			}
			req := c.Request.Engine
			want, wantFields := eng.DecideFields(&req, c.Request.Fields, nil)

			// What HTTP can carry of the request.
			reduced := req
			reduced.Claims = nil
			reduced.Context = map[string]engine.Values{}
			for k, v := range req.Context {
				if !reservedKey(k) {
					reduced.Context[k] = v
				}
			}
			if d, _ := eng.DecideFields(&reduced, c.Request.Fields, nil); d.String() != want.String() || d.Reason != want.Reason {
				t.Logf("%s: %q needs token claims or reserved keys; skipped over HTTP", sc.Dir, c.Name)
				continue
			}
			if req.Principal.Type == "session" || len(req.Principal.Groups) > 0 {
				t.Logf("%s: %q asserts a session or groups; skipped over HTTP", sc.Dir, c.Name)
				continue
			}
			check := client.CheckRequest{
				Action:   req.Action,
				Resource: client.Resource{Name: req.Resource.Name, Type: req.Resource.Type, Attributes: anyValues(req.Resource.Attributes)},
				Context:  anyValues(reduced.Context),
				Fields:   c.Request.Fields,
			}
			if req.Principal.ID == "" {
				check.Principal = &client.Principal{Type: "anonymous"}
			} else {
				check.Principal = &client.Principal{Type: req.Principal.Type, ID: req.Principal.ID, Attributes: anyValues(req.Principal.Attributes)}
			}
			got, err := s.Check(t.Context(), check)
			if err != nil {
				t.Errorf("%s: %q over HTTP: %v", sc.Dir, c.Name, err)
				continue
			}
			if got.Decision != want.String() || got.Reason != want.Reason.String() {
				t.Errorf("%s: %q: HTTP decides %s (%s), gatehouse test %s (%s)", sc.Dir, c.Name, got.Decision, got.Reason, want, want.Reason)
			}
			for _, fd := range wantFields {
				if got.Fields[fd.Field] != fd.Decision.String() {
					t.Errorf("%s: %q: field %s: HTTP decides %s, gatehouse test %s", sc.Dir, c.Name, fd.Field, got.Fields[fd.Field], fd.Decision)
				}
			}
			compared++
		}
	}
	if compared == 0 {
		t.Errorf("%s: no case of %v could be compared over HTTP", sc.Dir, sc.Desc.Suites)
	}
	t.Logf("%s: %d cases decide alike over HTTP and offline", sc.Dir, compared)
}

// anyValues turns condition values into what a check body sends.
func anyValues(m map[string]engine.Values) map[string]any {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = []string(v)
	}
	return out
}

// TestDemoRewritesWhatDiffers loads a scenario, changes one object behind
// its back, and loads again: exactly that object is written back.
func TestDemoRewritesWhatDiffers(t *testing.T) {
	t.Setenv(adminKeyEnv, "test-admin-key-0123456789")
	base, _, _, stop := startServe(t, "--data", filepath.Join(t.TempDir(), "data"))
	defer stop()
	ctx := context.Background()
	c, err := client.New(base, "test-admin-key-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := readScenario(examples.FS, demoLoopBack)
	if err != nil {
		t.Fatal(err)
	}
	first, err := applyScenario(ctx, c, "lb", sc)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(sc.Objects) + len(sc.Mappings); first.Written != want || first.Revision != int64(want) {
		t.Errorf("first load: %+v, want %d objects written", first, want)
	}
	again, err := applyScenario(ctx, c, "lb", sc)
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 || again.Revision != first.Revision {
		t.Errorf("second load wrote: %+v", again)
	}

	s := c.Store("lb")
	if _, err := s.PutUser(ctx, "2", client.User{Attributes: map[string]any{"name": "mallory"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutUser(ctx, "99", client.User{}); err != nil {
		t.Fatal(err)
	}
	third, err := applyScenario(ctx, c, "lb", sc)
	if err != nil {
		t.Fatal(err)
	}
	if third.Written != 1 || third.Revision != first.Revision+3 {
		t.Errorf("after a change: %+v, want user 2 alone written back", third)
	}
	if u, err := s.GetUser(ctx, "2"); err != nil || u.Attributes["name"] != "bob" {
		t.Errorf("user 2: %+v %v", u, err)
	}
	if _, err := s.GetUser(ctx, "99"); err != nil {
		t.Errorf("an object the description does not name was touched: %v", err)
	}
}

func TestDemoStoreID(t *testing.T) {
	for in, want := range map[string]string{
		"loopback-roles":         "loopback-roles",
		"S3_Org Prefix":          "s3-org-prefix",
		"--x--":                  "x",
		"___":                    "example",
		strings.Repeat("ab", 40): strings.Repeat("ab", 31) + "a",
	} {
		if got := demoStoreID(in); got != want {
			t.Errorf("demoStoreID(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReadmeQuickStart keeps the README's quick start true: its first
// command is the demo, and the curl commands it shows are ones the demo
// prints (for the default address and data directory).
func TestReadmeQuickStart(t *testing.T) {
	t.Setenv(adminKeyEnv, "")
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	_, start, ok := strings.Cut(readme, "## Quick start")
	if !ok {
		t.Fatal("the README has no quick start")
	}
	start, _, _ = strings.Cut(start, "\n## ")
	for _, cmd := range []string{"go run ./cmd/gatehouse serve --demo\n", "go test ./...\n"} {
		if !strings.Contains(start, "```sh\n"+cmd+"```") {
			t.Errorf("the quick start does not show %q as a command of its own", cmd)
		}
	}
	var printed strings.Builder
	printDemo(Demo{BaseURL: "http://127.0.0.1:8420", DataDir: "gatehouse-data", Out: &printed}, nil)
	// Commands compare as words: indentation and line continuations
	// differ between the two.
	words := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "\\\n", " ")), " ") }
	all := words(printed.String())
	shown := 0
	for _, block := range strings.Split(start, "\ncurl ")[1:] {
		block, _, _ = strings.Cut(block, "\n# ")
		block, _, _ = strings.Cut(block, "\n```")
		cmd := words("curl " + block)
		if !strings.Contains(all, cmd) {
			t.Errorf("the README shows a command the demo does not print:\n%s\n\nthe demo prints:\n%s", cmd, printed.String())
		}
		shown++
	}
	if shown < 3 {
		t.Errorf("the quick start shows %d curl commands, want the allowed check, the denied check and an explain", shown)
	}
	if !strings.Contains(start, `export GATEHOUSE_ADMIN_KEY="$(cat gatehouse-data/admin.key)"`) || !strings.Contains(all, `export GATEHOUSE_ADMIN_KEY="$(cat gatehouse-data/admin.key)"`) {
		t.Error("the README and the demo do not agree on how to get the admin key")
	}
}
