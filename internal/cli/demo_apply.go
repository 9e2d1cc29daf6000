package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"

	"gatehouse.dev/gatehouse/client"
)

// applied is what loading a scenario into a store did.
type applied struct {
	Store    string
	Scenario string
	// Written counts the objects written: missing, or different from
	// the description.
	Written int
	// Revision is the store's revision afterwards.
	Revision int64
	// Warnings are the warnings the writes answered with.
	Warnings []string
}

// applyScenario makes store hold sc's objects: it creates the store if
// needed, and writes each object only when the store lacks it or holds it
// differently, so that loading twice changes nothing and leaves the
// revision alone. Objects the description does not name are left as they
// are.
func applyScenario(ctx context.Context, c *client.Client, storeID string, sc *scenario) (*applied, error) {
	out := &applied{Store: storeID, Scenario: sc.Dir}
	stores, err := client.All(ctx, c.ListStores)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(stores, func(s client.StoreInfo) bool { return s.ID == storeID }) {
		if _, err := c.CreateStore(ctx, storeID); err != nil && client.ErrorCode(err) != "already_exists" {
			return nil, err
		}
	}
	s := c.Store(storeID)
	note := func(what string, w *client.WriteResult) {
		out.Written++
		for _, f := range w.Warnings {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s: %s [%s]", what, f.Message, f.Code))
		}
	}
	existing := map[string]map[string]map[string]any{}
	for _, o := range sc.Objects {
		have, ok := existing[o.Collection]
		if !ok {
			var err error
			if have, err = listRaw(ctx, c, storeID, o.Collection); err != nil {
				return nil, err
			}
			existing[o.Collection] = have
		}
		if same(have[o.ID], o.Value) {
			continue
		}
		w, err := putObject(ctx, s, o)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: writing %s %q into store %q: %w", sc.Dir, demoFile, o.Collection, o.ID, storeID, err)
		}
		note(o.Collection+"/"+o.ID, w)
	}
	for _, m := range sc.Mappings {
		page, err := s.ListRoleMappings(ctx, client.RoleMappingFilter{PrincipalType: m.PrincipalType, PrincipalID: m.PrincipalID, Role: m.Role},
			client.ListOptions{Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(page.Items) > 0 {
			continue
		}
		w, err := s.CreateRoleMapping(ctx, m)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: mapping %s %s to %s in store %q: %w", sc.Dir, demoFile, m.PrincipalType, m.PrincipalID, m.Role, storeID, err)
		}
		note("role mapping "+w.ID, w)
	}
	info, err := c.GetStore(ctx, storeID)
	if err != nil {
		return nil, err
	}
	out.Revision = info.Revision
	return out, nil
}

// listRaw reads every object of a collection as JSON objects, by id (a
// role's is its name). Lists are read rather than each object, so that
// loading a store the demo loaded before costs one request per kind.
func listRaw(ctx context.Context, c *client.Client, storeID, collection string) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	base := "/v1/stores/" + url.PathEscape(storeID) + "/" + collection + "?limit=1000"
	cursor := ""
	for {
		p := base
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor string           `json:"next_cursor"`
		}
		if _, err := c.Raw(ctx, http.MethodGet, p, nil, &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			id, _ := it["id"].(string)
			if name, ok := it["name"].(string); ok && collection == "roles" {
				id = name
			}
			out[id] = it
		}
		if page.NextCursor == "" || page.NextCursor == cursor {
			return out, nil
		}
		cursor = page.NextCursor
	}
}

// same reports whether the stored object got (nil: none) is want. Both
// are compared as JSON values, without what the server adds (revision,
// updated_at) and without empty fields (an absent list and an empty one
// mean the same).
func same(got map[string]any, want any) bool {
	if got == nil {
		return false
	}
	b, err := json.Marshal(want)
	if err != nil {
		return false
	}
	var w map[string]any
	if err := json.Unmarshal(b, &w); err != nil {
		return false
	}
	g := maps.Clone(got)
	for _, m := range []map[string]any{g, w} {
		delete(m, "revision")
		delete(m, "updated_at")
	}
	return reflect.DeepEqual(normalize(g), normalize(w))
}

// normalize drops null, empty strings, lists and objects, recursively.
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if x = normalize(x); x != nil {
				out[k] = x
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(v) == 0 {
			return nil
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalize(x)
		}
		return out
	case string:
		if v == "" {
			return nil
		}
	}
	return v
}

// putObject writes o through the client's method for its kind.
func putObject(ctx context.Context, s *client.Store, o demoObject) (*client.WriteResult, error) {
	switch v := o.Value.(type) {
	case client.Policy:
		return s.PutPolicy(ctx, o.ID, v)
	case client.ResourcePolicy:
		return s.PutResourcePolicy(ctx, o.ID, v)
	case client.Group:
		return s.PutGroup(ctx, o.ID, v)
	case client.App:
		return s.PutApp(ctx, o.ID, v)
	case client.User:
		return s.PutUser(ctx, o.ID, v)
	case client.Role:
		return s.PutRole(ctx, o.ID, v)
	case client.Boundary:
		return s.PutBoundary(ctx, o.ID, v)
	case client.ClaimRule:
		return s.PutClaimRule(ctx, o.ID, v)
	}
	return nil, fmt.Errorf("no way to write a %T", o.Value)
}
