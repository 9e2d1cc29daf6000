package server

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// createKey creates an API key with the admin key and returns its secret.
func (ts *testServer) createKey(name string, policy map[string]any) string {
	ts.t.Helper()
	got := ts.must(http.StatusCreated, "POST", "/v1/keys", map[string]any{"name": name, "policy": policy})
	secret, _ := got["secret"].(string)
	if !strings.HasPrefix(secret, keyPrefix+got["id"].(string)+"_") {
		ts.t.Fatalf("key secret %q does not start with ghk_<id>_", secret)
	}
	return secret
}

// endpoint is one API endpoint with a body that would be accepted.
type endpoint struct {
	method, path string
	body         any
}

// storeEndpoints lists every endpoint of an application store.
func storeEndpoints(storeID string) []endpoint {
	base := "/v1/stores/" + storeID
	chk := check("1", "orders:Read", "orders:1")
	eps := []endpoint{
		{"GET", base, nil},
		{"POST", base + "/check", chk},
		{"POST", base + "/check/batch", map[string]any{"checks": []any{chk}}},
		{"POST", base + "/explain", chk},
		{"GET", base + "/decisions/01J00000000000000000000000", nil},
		{"POST", base + "/decisions/01J00000000000000000000000/explain", nil},
	}
	for _, c := range objectCases() {
		eps = append(eps,
			endpoint{"GET", base + "/" + c.collection, nil},
			endpoint{"GET", base + "/" + c.collection + "/" + c.id, nil},
			endpoint{"PUT", base + "/" + c.collection + "/" + c.id, c.body},
			endpoint{"DELETE", base + "/" + c.collection + "/" + c.id, nil})
	}
	eps = append(eps,
		endpoint{"POST", base + "/role-mappings", map[string]any{"principal_type": "USER", "principal_id": "1", "role": "admin"}},
		endpoint{"GET", base + "/role-mappings", nil},
		endpoint{"GET", base + "/role-mappings/1", nil},
		endpoint{"DELETE", base + "/role-mappings/1", nil})
	return eps
}

// adminEndpoints are the endpoints outside any one store.
func adminEndpoints() []endpoint {
	return []endpoint{
		{"POST", "/v1/stores", map[string]any{"id": "new-store"}},
		{"GET", "/v1/stores", nil},
		{"POST", "/v1/keys", map[string]any{"name": "k", "policy": policyDoc("Allow", "gatehouse:*", "*")}},
		{"GET", "/v1/keys", nil},
		{"GET", "/v1/keys/0123456789abcdef", nil},
		{"DELETE", "/v1/keys/0123456789abcdef", nil},
	}
}

// API.md §1 and issue 3 item 4: a key allowed only gatehouse:Check on
// store A gets 403 on every admin endpoint and every endpoint of store B;
// nothing an application writes into its store grants a gatehouse: action.
func TestKeyScopedToCheckOnOneStore(t *testing.T) {
	ts := newTestServer(t)
	ts.must(http.StatusCreated, "POST", "/v1/stores", map[string]any{"id": "a"})
	ts.must(http.StatusCreated, "POST", "/v1/stores", map[string]any{"id": "b"})
	// Store A's own admin role is allowed everything, gatehouse actions
	// included, and the key's id is mapped to it every way there is.
	key := ts.createKey("checker-a", policyDoc("Allow", "gatehouse:Check", "gatehouse:store/a"))
	keyID := strings.Split(key, "_")[1]
	for _, st := range []string{"a", "b"} {
		ts.must(http.StatusCreated, "PUT", "/v1/stores/"+st+"/policies/everything", map[string]any{"document": policyDoc("Allow", "*", "*")})
		ts.must(http.StatusCreated, "PUT", "/v1/stores/"+st+"/roles/admin", map[string]any{"policies": []string{"everything"}})
		ts.must(http.StatusCreated, "PUT", "/v1/stores/"+st+"/roles/$everyone", map[string]any{"policies": []string{"everything"}})
		ts.must(http.StatusCreated, "PUT", "/v1/stores/"+st+"/apps/"+keyID, map[string]any{"policies": []string{"everything"}})
		ts.must(http.StatusCreated, "POST", "/v1/stores/"+st+"/role-mappings", map[string]any{"principal_type": "APP", "principal_id": keyID, "role": "admin"})
	}

	if r := ts.doKey(key, "POST", "/v1/stores/a/check", check("1", "orders:Read", "orders:1")); r.status != http.StatusOK {
		t.Fatalf("the key's own permission: %d %s", r.status, r.body)
	}
	var denied []endpoint
	denied = append(denied, adminEndpoints()...)
	denied = append(denied, storeEndpoints("b")...)
	for _, ep := range storeEndpoints("a") {
		if ep.path != "/v1/stores/a/check" && ep.path != "/v1/stores/a/check/batch" {
			denied = append(denied, ep)
		}
	}
	for _, ep := range denied {
		r := ts.doKey(key, ep.method, ep.path, ep.body)
		wantProblem(t, ep.method+" "+ep.path, r, http.StatusForbidden, codeForbidden)
	}
	// Batch is a check too: allowed on A only.
	if r := ts.doKey(key, "POST", "/v1/stores/a/check/batch", map[string]any{"checks": []any{check("1", "a:B", "r")}}); r.status != http.StatusOK {
		t.Errorf("batch on A: %d", r.status)
	}
	// Nothing was written by the key.
	if rev := ts.srv.loadedState("a").snapshot().Revision(); rev != 5 {
		t.Errorf("store a at revision %d after the key's attempts, want 5", rev)
	}
}

func TestAuthentication(t *testing.T) {
	ts := newTestServer(t)
	key := ts.createKey("reader", policyDoc("Allow", "gatehouse:Read*", "gatehouse:store/default/*"))
	id := strings.Split(key, "_")[1]
	secret := strings.TrimPrefix(key, keyPrefix+id+"_")
	for _, tt := range []struct {
		name, header string
	}{
		{"no header", ""},
		{"not bearer", "Basic " + testAdminKey},
		{"wrong admin key", "Bearer " + testAdminKey + "x"},
		{"wrong secret", "Bearer " + key[:len(key)-2] + "xx"},
		{"unknown id", "Bearer ghk_ffffffffffffffff_" + secret},
		{"garbage", "Bearer ghk_"},
	} {
		req := newRequest("GET", "/v1/stores/default/policies", "")
		if tt.header != "" {
			req.Header.Set("Authorization", tt.header)
		}
		r := ts.serve(req)
		wantProblem(t, tt.name, r, http.StatusUnauthorized, codeUnauthenticated)
		if r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tt.name)
		}
	}
	if r := ts.doKey(key, "GET", "/v1/stores/default/policies", nil); r.status != http.StatusOK {
		t.Errorf("key reading policies: %d %s", r.status, r.body)
	}
	// The scheme is case-insensitive (RFC 9110 §11.1).
	req := newRequest("GET", "/v1/stores/default/policies", "")
	req.Header.Set("Authorization", "bearer "+key)
	if r := ts.serve(req); r.status != http.StatusOK {
		t.Errorf("lower-case bearer: %d", r.status)
	}
	wantProblem(t, "read-only key writing", ts.doKey(key, "PUT", "/v1/stores/default/policies/p", map[string]any{"document": policyDoc("Allow", "a:B", "*")}), http.StatusForbidden, codeForbidden)

	// Keys are listed without secrets, and a deleted key stops working.
	list := ts.must(http.StatusOK, "GET", "/v1/keys", nil)
	if strings.Contains(string(ts.do("GET", "/v1/keys", nil).body), secret) {
		t.Error("GET /v1/keys shows a secret")
	}
	if items := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != id || items[0].(map[string]any)["name"] != "reader" {
		t.Errorf("keys: %v", list)
	}
	ts.must(http.StatusOK, "GET", "/v1/keys/"+id, nil)
	ts.must(http.StatusOK, "DELETE", "/v1/keys/"+id, nil)
	wantProblem(t, "deleted key", ts.doKey(key, "GET", "/v1/stores/default/policies", nil), http.StatusUnauthorized, codeUnauthenticated)
	wantProblem(t, "GET deleted key", ts.do("GET", "/v1/keys/"+id, nil), http.StatusNotFound, codeNotFound)

	// A key's policy is validated like any policy.
	wantProblem(t, "invalid key policy", ts.do("POST", "/v1/keys", map[string]any{"name": "bad", "policy": policyDoc("Maybe", "gatehouse:Check", "*")}), http.StatusUnprocessableEntity, codeInvalid)
	wantProblem(t, "key without policy", ts.do("POST", "/v1/keys", map[string]any{"name": "bad"}), http.StatusBadRequest, codeBadRequest)
	wantProblem(t, "key without name", ts.do("POST", "/v1/keys", map[string]any{"policy": policyDoc("Allow", "gatehouse:Check", "*")}), http.StatusBadRequest, codeBadRequest)

	// Secrets never reach the log.
	if strings.Contains(ts.logs.String(), secret) || strings.Contains(ts.logs.String(), testAdminKey) {
		t.Error("the log holds a key secret")
	}
}

// Keys made by one server are seen by another sharing the store (a
// replica), through the change feed.
func TestKeysAcrossReplicas(t *testing.T) {
	ts := newTestServer(t)
	other, err := New(Config{Store: ts.store, AdminKey: "another-admin-key-0123456789", Logger: ts.srv.log})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	key := ts.createKey("shared", policyDoc("Allow", "gatehouse:Check", "gatehouse:store/default"))
	replica := &testServer{t: t, srv: other, store: ts.store, logs: ts.logs}
	deadline := 100
	for i := 0; ; i++ {
		r := replica.doKey(key, "POST", "/v1/stores/default/check", check("1", "a:B", "r"))
		if r.status == http.StatusOK {
			break
		}
		if i == deadline {
			t.Fatalf("the replica never learned of the key: %d %s (replica keys %v, key %s)", r.status, r.body, other.system.Load().keys, key)
		}
		sleepBriefly()
	}
}

// Two servers writing to one store concurrently (replicas sharing a
// database): every write is acknowledged once, with its own revision, and
// both servers end at the last one.
func TestConcurrentWritersAcrossReplicas(t *testing.T) {
	ts := newTestServer(t)
	other, err := New(Config{Store: ts.store, AdminKey: testAdminKey, Logger: ts.srv.log})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	replica := &testServer{t: t, srv: other, store: ts.store, logs: ts.logs}
	const perServer = 10
	var wg sync.WaitGroup
	revs := make(chan int64, 2*perServer)
	for i, srv := range []*testServer{ts, replica} {
		for j := range perServer {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := srv.do("PUT", fmt.Sprintf("/v1/stores/default/users/u%d-%d", i, j), map[string]any{})
				if r.status != http.StatusCreated {
					t.Errorf("PUT: %d %s", r.status, r.body)
					return
				}
				revs <- int64(r.json(t)["revision"].(float64))
			}()
		}
	}
	wg.Wait()
	close(revs)
	seen := map[int64]bool{}
	for r := range revs {
		if seen[r] {
			t.Errorf("revision %d acknowledged twice", r)
		}
		seen[r] = true
	}
	want := int64(2 * perServer)
	for _, srv := range []*Server{ts.srv, other} {
		for i := 0; srv.loadedState("default").snapshot().Revision() != want; i++ {
			if i == 200 {
				t.Fatalf("a server stays at revision %d, want %d", srv.loadedState("default").snapshot().Revision(), want)
			}
			sleepBriefly()
		}
	}
}
