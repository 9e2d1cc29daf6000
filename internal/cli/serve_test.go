package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a buffer the server goroutine writes while the test
// reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var listeningRE = regexp.MustCompile(`listening on (http://\S+)`)

// startServe runs `gatehouse serve` in process on a free port and returns
// its base URL, its stderr and stdout, and a function that stops it (as
// SIGTERM would) and returns the exit status.
func startServe(t *testing.T, args ...string) (string, *lockedBuffer, *lockedBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	serveContext = func() (context.Context, context.CancelFunc) { return ctx, cancel }
	t.Cleanup(func() {
		cancel()
		serveContext = func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }
	})
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), strings.NewReader(""), stdout, stderr)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(stderr.String()); m != nil {
			stop := func() int {
				cancel()
				select {
				case code := <-done:
					return code
				case <-time.After(20 * time.Second):
					t.Fatal("serve did not stop")
					return -1
				}
			}
			return m[1], stderr, stdout, stop
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func call(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServe(t *testing.T) {
	t.Setenv(adminKeyEnv, "")
	data := filepath.Join(t.TempDir(), "data")
	logFile := filepath.Join(t.TempDir(), "decisions.jsonl")
	base, stderr, _, stop := startServe(t, "--data", data, "--decision-log", logFile)

	keyBytes, err := os.ReadFile(filepath.Join(data, adminKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(string(keyBytes))
	if fi, _ := os.Stat(filepath.Join(data, adminKeyFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("admin.key mode %v, want 0600", fi.Mode().Perm())
	}
	if strings.Count(stderr.String(), key) != 1 {
		t.Errorf("the generated admin key is not printed exactly once:\n%s", stderr.String())
	}
	if code, body := call(t, "GET", base+"/readyz", "", ""); code != http.StatusOK {
		t.Errorf("readyz: %d %s", code, body)
	}
	if code, _ := call(t, "GET", base+"/v1/stores", "", ""); code != http.StatusUnauthorized {
		t.Errorf("no key: %d", code)
	}
	code, body := call(t, "PUT", base+"/v1/stores/default/policies/p", key, `{"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "a:B", "Resource": "*"}]}}`)
	if code != http.StatusCreated {
		t.Fatalf("PUT policy: %d %s", code, body)
	}
	call(t, "PUT", base+"/v1/stores/default/users/1", key, `{"policies": ["p"]}`)
	code, body = call(t, "POST", base+"/v1/stores/default/check", key, `{"principal": {"type": "user", "id": "1"}, "action": "a:B", "resource": {"name": "r"}}`)
	var got struct {
		DecisionID string `json:"decision_id"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if code != http.StatusOK || !strings.Contains(body, `"allow"`) {
		t.Fatalf("check: %d %s", code, body)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d after SIGTERM:\n%s", code, stderr.String())
	}
	// Shutdown wrote the decision log out.
	if b, _ := os.ReadFile(logFile); !strings.Contains(string(b), got.DecisionID) || got.DecisionID == "" {
		t.Errorf("decision log file lacks %q: %s", got.DecisionID, b)
	}

	// A restart keeps the data and the key, and prints no key.
	base, stderr, _, stop = startServe(t, "--data", data)
	if code, body := call(t, "GET", base+"/v1/stores/default/policies/p", key, ""); code != http.StatusOK {
		t.Errorf("after restart: %d %s", code, body)
	}
	if code, body := call(t, "GET", base+"/v1/stores/default/decisions/"+got.DecisionID, key, ""); code != http.StatusOK {
		t.Errorf("decision after restart: %d %s", code, body)
	}
	stop()
	if strings.Contains(stderr.String(), key) {
		t.Error("the admin key was printed again on restart")
	}
}

func TestServeAdminKeyFromEnvironment(t *testing.T) {
	t.Setenv(adminKeyEnv, "env-admin-key-0123456789")
	data := filepath.Join(t.TempDir(), "data")
	base, _, _, stop := startServe(t, "--data", data)
	defer stop()
	if code, body := call(t, "GET", base+"/v1/stores", "env-admin-key-0123456789", ""); code != http.StatusOK {
		t.Errorf("env key: %d %s", code, body)
	}
	if _, err := os.Stat(filepath.Join(data, adminKeyFile)); err == nil {
		t.Error("admin.key written although the key came from the environment")
	}
}

func TestServeBadFlags(t *testing.T) {
	t.Setenv(adminKeyEnv, "short")
	code, out, errOut := gh(t, "", "serve", "--data", t.TempDir())
	wantFailure(t, code, out, errOut, adminKeyEnv)
	t.Setenv(adminKeyEnv, "")
	code, out, errOut = gh(t, "", "serve", "--log-format", "xml")
	wantFailure(t, code, out, errOut, "--log-format")
	code, out, errOut = gh(t, "", "serve", "extra")
	wantFailure(t, code, out, errOut, "no arguments")
}
