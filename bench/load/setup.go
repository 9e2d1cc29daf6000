package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// setupConfig is what `load setup` loads.
type setupConfig struct {
	url, store, adminKey, keyOut string
	users, parallel              int
}

func setupFlags(fs *flag.FlagSet) *setupConfig {
	c := &setupConfig{}
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8420", "the server's base URL")
	fs.StringVar(&c.store, "store", "default", "the store to load (created when it is not default)")
	fs.StringVar(&c.adminKey, "admin-key", "", "the admin key (default $GATEHOUSE_ADMIN_KEY)")
	fs.IntVar(&c.users, "users", 1000, "users to create and map to roles")
	fs.IntVar(&c.parallel, "parallel", 4, "writes in flight")
	fs.StringVar(&c.keyOut, "key-out", "", "write the created check-only API key to this file (default: standard output)")
	return c
}

type api struct {
	base, key string
	hc        *http.Client
}

// call sends v as JSON and decodes the answer into out (when not nil); a
// status other than the wanted ones is an error quoting the answer.
func (a *api) call(method, path string, v, out any, want ...int) error {
	var body io.Reader
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	for _, w := range want {
		if resp.StatusCode == w {
			if out != nil {
				return json.Unmarshal(b, out)
			}
			return nil
		}
	}
	return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
}

// waitReady polls /readyz until the server answers 200.
func (a *api) waitReady(within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		resp, err := a.hc.Get(a.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server at %s is not ready after %s (last error: %v)", a.base, within, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func setup(c *setupConfig, stdout io.Writer) error {
	if c.adminKey == "" {
		c.adminKey = os.Getenv("GATEHOUSE_ADMIN_KEY")
	}
	if c.adminKey == "" {
		return fmt.Errorf("no admin key: pass -admin-key or set GATEHOUSE_ADMIN_KEY")
	}
	a := &api{base: strings.TrimRight(c.url, "/"), key: c.adminKey, hc: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: c.parallel}}}
	if err := a.waitReady(30 * time.Second); err != nil {
		return err
	}
	t0 := time.Now()
	sp := "/v1/stores/" + c.store
	if c.store != "default" {
		if err := a.call("POST", "/v1/stores", map[string]any{"id": c.store}, nil, 201, 409); err != nil {
			return err
		}
	}
	for id, d := range policies {
		if err := a.call("PUT", sp+"/policies/"+id, map[string]any{"document": d}, nil, 200, 201); err != nil {
			return err
		}
	}
	for _, r := range roles {
		body := map[string]any{"policies": r.policies, "includes": nonNil(r.includes)}
		if err := a.call("PUT", sp+"/roles/"+r.name, body, nil, 200, 201); err != nil {
			return err
		}
	}
	if err := a.call("PUT", sp+"/groups/"+supportGrp, map[string]any{"policies": []string{}}, nil, 200, 201); err != nil {
		return err
	}
	if err := a.call("POST", sp+"/role-mappings", map[string]any{"principal_type": "GROUP", "principal_id": supportGrp, "role": "support"}, nil, 201); err != nil {
		return err
	}
	// Users and their mappings, a few writes in flight.
	work := make(chan int)
	errs := make(chan error, c.parallel)
	var wg sync.WaitGroup
	for range c.parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				id := fmt.Sprint(i)
				if err := a.call("PUT", sp+"/users/"+id, userBody(i), nil, 200, 201); err != nil {
					errs <- err
					return
				}
				if role := userRole(i); role != "" {
					if err := a.call("POST", sp+"/role-mappings", map[string]any{"principal_type": "USER", "principal_id": id, "role": role}, nil, 201); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	var err error
feed:
	for i := 1; i <= c.users; i++ {
		select {
		case work <- i:
		case err = <-errs:
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	if err != nil {
		return err
	}
	// Spot checks: the scenario decides as intended.
	for _, sc := range []struct {
		user, action, owner, status, want string
	}{
		{"1", "orders:deleteById", "2", "locked", "allow"},  // admin
		{"11", "orders:find", "2", "open", "allow"},         // customer
		{"11", "orders:deleteById", "11", "open", "deny"},   // customers never delete
		{"11", "orders:updateById", "11", "open", "allow"},  // owner
		{"11", "orders:updateById", "11", "locked", "deny"}, // locked
		{"guest-1", "orders:find", "2", "open", "deny"},     // unknown user
	} {
		var ans struct{ Decision string }
		body := map[string]any{"principal": map[string]any{"type": "user", "id": sc.user}, "action": sc.action,
			"resource": map[string]any{"name": "orders:Order/1", "attributes": map[string]any{"owner": sc.owner, "tenant": "t1", "status": sc.status}}}
		if err := a.call("POST", sp+"/check", body, &ans, 200); err != nil {
			return err
		}
		if ans.Decision != sc.want {
			return fmt.Errorf("spot check: user %s %s on an order of %s (%s): %s, want %s", sc.user, sc.action, sc.owner, sc.status, ans.Decision, sc.want)
		}
	}
	// A key allowed only to check this store: what an application holds.
	var key struct{ Secret string }
	kp := doc(stmt("CheckOnly", "Allow", []string{"gatehouse:Check"}, "gatehouse:store/"+c.store, nil))
	if err := a.call("POST", "/v1/keys", map[string]any{"name": "loadbench", "policy": kp}, &key, 201); err != nil {
		return err
	}
	var info struct {
		Revision int64
		Objects  map[string]int
	}
	if err := a.call("GET", sp, nil, &info, 200); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "load setup: store %s at revision %d, objects %v, loaded in %.1f s\n", c.store, info.Revision, info.Objects, time.Since(t0).Seconds())
	if c.keyOut != "" {
		return os.WriteFile(c.keyOut, []byte(key.Secret+"\n"), 0o600)
	}
	_, err = fmt.Fprintln(stdout, key.Secret)
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
