package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"gatehouse.dev/gatehouse/client"
	"gatehouse.dev/gatehouse/policy"
)

// demoFile is the store description of a scenario, beside its README.
const demoFile = "store.yaml"

// demoLoopBack is the scenario also loaded into the default store.
const demoLoopBack = "loopback-roles"

// storeDesc is a scenario's store.yaml: the objects its store holds. Policy
// documents are named by file, relative to the scenario's folder (JSON, or
// YAML converted to JSON). Objects are written in the order of the fields
// below, each list in file order, so that a role's includes may name only
// roles listed before it.
type storeDesc struct {
	Description string `yaml:"description"`
	// Suites are the scenario's test suites whose cases the store
	// reproduces over HTTP (the demo's test checks that it does).
	Suites           []string             `yaml:"suites"`
	Policies         []policyDesc         `yaml:"policies"`
	ResourcePolicies []resourcePolicyDesc `yaml:"resource_policies"`
	Groups           []groupDesc          `yaml:"groups"`
	Apps             []appDesc            `yaml:"apps"`
	Users            []userDesc           `yaml:"users"`
	Roles            []roleDesc           `yaml:"roles"`
	Boundaries       []boundaryDesc       `yaml:"boundaries"`
	RoleMappings     []mappingDesc        `yaml:"role_mappings"`
	ClaimRules       []claimRuleDesc      `yaml:"claim_rules"`
}

type policyDesc struct {
	ID          string `yaml:"id"`
	Description string `yaml:"description"`
	File        string `yaml:"file"`
}

type resourcePolicyDesc struct {
	ID          string `yaml:"id"`
	Description string `yaml:"description"`
	Resource    string `yaml:"resource"`
	File        string `yaml:"file"`
}

type groupDesc struct {
	ID          string   `yaml:"id"`
	Description string   `yaml:"description"`
	Policies    []string `yaml:"policies"`
}

type appDesc struct {
	ID          string         `yaml:"id"`
	Description string         `yaml:"description"`
	Attributes  map[string]any `yaml:"attributes"`
	Policies    []string       `yaml:"policies"`
}

type userDesc struct {
	ID         string         `yaml:"id"`
	Attributes map[string]any `yaml:"attributes"`
	Groups     []string       `yaml:"groups"`
	Policies   []string       `yaml:"policies"`
}

type roleDesc struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Policies    []string `yaml:"policies"`
	Includes    []string `yaml:"includes"`
}

type boundaryDesc struct {
	ID            string `yaml:"id"`
	Description   string `yaml:"description"`
	PrincipalType string `yaml:"principal_type"`
	PrincipalID   string `yaml:"principal_id"`
	File          string `yaml:"file"`
}

type mappingDesc struct {
	PrincipalType string `yaml:"principal_type"`
	PrincipalID   string `yaml:"principal_id"`
	Role          string `yaml:"role"`
}

type claimRuleDesc struct {
	ID          string `yaml:"id"`
	Description string `yaml:"description"`
	Claim       string `yaml:"claim"`
	Op          string `yaml:"op"`
	Value       string `yaml:"value"`
	Role        string `yaml:"role"`
	Issuer      string `yaml:"issuer"`
}

// scenario is one example folder with a store description, read and ready
// to load: its objects in the order they are written.
type scenario struct {
	// Dir is the folder's name ("loopback-roles").
	Dir string
	// Store is the id of the store it loads into.
	Store string
	Desc  *storeDesc
	// Objects are the objects that have an id of their own, in write
	// order; Mappings are written after them.
	Objects  []demoObject
	Mappings []client.RoleMapping
}

// demoObject is one object of a scenario's store.
type demoObject struct {
	// Collection is the API's collection ("policies"); ID the object's id.
	Collection, ID string
	// Value is the client's object: what the store must hold.
	Value any
}

// readScenarios reads every <dir>/store.yaml of fsys, sorted by folder.
func readScenarios(fsys fs.FS) ([]*scenario, error) {
	files, err := fs.Glob(fsys, "*/"+demoFile)
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, errors.New("no example has a " + demoFile)
	}
	var out []*scenario
	for _, f := range files {
		sc, err := readScenario(fsys, path.Dir(f))
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// readScenario reads dir/store.yaml and the policy files it names.
func readScenario(fsys fs.FS, dir string) (*scenario, error) {
	file := path.Join(dir, demoFile)
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var d storeDesc
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	sc := &scenario{Dir: dir, Store: demoStoreID(dir), Desc: &d}
	doc := func(name string, kind policy.Kind) (json.RawMessage, error) {
		if name == "" {
			return nil, fmt.Errorf("%s: a policy needs a file", file)
		}
		return readDocument(fsys, path.Join(dir, name), kind)
	}
	for _, p := range d.Policies {
		b, err := doc(p.File, policy.KindIdentity)
		if err != nil {
			return nil, err
		}
		sc.add("policies", p.ID, client.Policy{ID: p.ID, Description: p.Description, Document: b})
	}
	for _, p := range d.ResourcePolicies {
		b, err := doc(p.File, policy.KindResource)
		if err != nil {
			return nil, err
		}
		sc.add("resource-policies", p.ID, client.ResourcePolicy{ID: p.ID, Description: p.Description, Resource: p.Resource, Document: b})
	}
	for _, g := range d.Groups {
		sc.add("groups", g.ID, client.Group{ID: g.ID, Description: g.Description, Policies: g.Policies})
	}
	for _, a := range d.Apps {
		sc.add("apps", a.ID, client.App{ID: a.ID, Description: a.Description, Attributes: a.Attributes, Policies: a.Policies})
	}
	for _, u := range d.Users {
		sc.add("users", u.ID, client.User{ID: u.ID, Attributes: u.Attributes, Groups: u.Groups, Policies: u.Policies})
	}
	for _, r := range d.Roles {
		sc.add("roles", r.Name, client.Role{Name: r.Name, Description: r.Description, Policies: r.Policies, Includes: r.Includes})
	}
	for _, b := range d.Boundaries {
		body, err := doc(b.File, policy.KindBoundary)
		if err != nil {
			return nil, err
		}
		sc.add("boundaries", b.ID, client.Boundary{ID: b.ID, Description: b.Description, PrincipalType: b.PrincipalType,
			PrincipalID: b.PrincipalID, Document: body})
	}
	for _, r := range d.ClaimRules {
		sc.add("claim-rules", r.ID, client.ClaimRule{ID: r.ID, Description: r.Description, Claim: r.Claim, Op: r.Op,
			Value: r.Value, Role: r.Role, Issuer: r.Issuer})
	}
	for _, m := range d.RoleMappings {
		sc.Mappings = append(sc.Mappings, client.RoleMapping{PrincipalType: m.PrincipalType, PrincipalID: m.PrincipalID, Role: m.Role})
	}
	for _, o := range sc.Objects {
		if o.ID == "" {
			return nil, fmt.Errorf("%s: an object of %s has no id", file, o.Collection)
		}
	}
	return sc, nil
}

func (sc *scenario) add(collection, id string, v any) {
	sc.Objects = append(sc.Objects, demoObject{Collection: collection, ID: id, Value: v})
}

// readDocument reads a policy document; a YAML one is converted to JSON,
// the API's only syntax. A document with errors is refused here, with
// file:line:col, rather than by the server.
func readDocument(fsys fs.FS, file string, kind policy.Kind) (json.RawMessage, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	doc, findings := policy.Load(file, data, kind)
	if doc == nil || findings.HasErrors() {
		return nil, fmt.Errorf("%s: %w", file, findings.Err())
	}
	switch strings.ToLower(path.Ext(file)) {
	case ".yaml", ".yml":
		return doc.MarshalJSON()
	}
	return json.RawMessage(data), nil
}

// demoStoreID turns a folder name into a store id: lower case, runs of
// other characters than a-z, 0-9 and '-' as one '-', at most 63
// characters, never starting with '-'.
func demoStoreID(dir string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(dir) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	id := strings.TrimRight(b.String(), "-")
	if len(id) > 63 {
		id = strings.TrimRight(id[:63], "-")
	}
	if id == "" {
		id = "example"
	}
	return id
}
