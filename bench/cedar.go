package bench

import (
	"fmt"
	"strings"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"

	"gatehouse.dev/gatehouse/internal/workload"
)

// Cedar form. Cedar has no wildcards in its scope and none in actions at
// all, so the workload is written the way Cedar's documentation models such
// policies, with as much as possible in the scope (the cheapest part of a
// policy to evaluate):
//
//   - role conditions are group membership: principal in Role::"r", the
//     user entity having its roles as parents;
//   - a trailing-wildcard resource "P*" whose prefix P ends in ':' or '/'
//     is a container: resource in Container::"P", each resource entity
//     having every such prefix of its name as a parent;
//   - a wildcard action is an action group: action in Action::"svc3:Get*",
//     each action entity having as parents the action patterns that match
//     it (what a Cedar schema's action groups declare);
//   - any other resource pattern is `resource.name like "…"` in a when
//     clause; Cedar's like has no single-character ?, so ? is written *,
//     which the wildcard workload's vocabulary makes equivalent (every
//     answer is checked against the model);
//   - tenant and status conditions are attribute comparisons in a when
//     clause, the token claim being in the context.
//
// Entities are built per request (the principal, its resource and its
// action), as an application does for each authorization call; cedar-go
// evaluates every policy of the set for each request.

// cedarPolicies renders w's statements as Cedar source text.
func cedarPolicies(w *workload.Workload) string {
	var b strings.Builder
	for i := range w.Statements {
		s := &w.Statements[i]
		effect := "permit"
		if s.Effect == workload.Deny {
			effect = "forbid"
		}
		principal := "principal"
		if s.Role != "" {
			principal = fmt.Sprintf("principal in Role::%q", s.Role)
		}
		var action string
		switch {
		case s.Action == "*":
			action = "action"
		case hasWildcard(s.Action):
			action = fmt.Sprintf("action in Action::%q", s.Action)
		default:
			action = fmt.Sprintf("action == Action::%q", s.Action)
		}
		var when []string
		resource := "resource"
		switch p, ok := containerPrefix(s.Resource); {
		case s.Resource == "*":
		case ok:
			resource = fmt.Sprintf("resource in Container::%q", p)
		case !hasWildcard(s.Resource):
			resource = fmt.Sprintf("resource == Resource::%q", s.Resource)
		default:
			when = append(when, fmt.Sprintf("resource.name like %q", strings.ReplaceAll(s.Resource, "?", "*")))
		}
		switch s.Tenant {
		case workload.TenantPrincipal:
			when = append(when, "resource.tenant == principal.tenant")
		case workload.TenantClaim:
			when = append(when, "resource.tenant == context.companyId")
		}
		if s.Status != "" {
			when = append(when, fmt.Sprintf("resource.status == %q", s.Status))
		}
		fmt.Fprintf(&b, "@id(\"S%d\")\n%s (%s, %s, %s)", i, effect, principal, action, resource)
		if len(when) > 0 {
			fmt.Fprintf(&b, " when { %s }", strings.Join(when, " && "))
		}
		b.WriteString(";\n")
	}
	return b.String()
}

func hasWildcard(p string) bool { return strings.ContainsAny(p, "*?") }

// containerPrefix reports whether pattern is "P*" with no other wildcard and
// P ending in ':' or '/', returning P.
func containerPrefix(pattern string) (string, bool) {
	p, ok := strings.CutSuffix(pattern, "*")
	if !ok || p == "" || hasWildcard(p) {
		return "", false
	}
	if last := p[len(p)-1]; last != ':' && last != '/' {
		return "", false
	}
	return p, true
}

// containers returns the Container parents of a resource name: every
// proper prefix of it that ends in ':' or '/'.
func containers(name string) []types.EntityUID {
	var out []types.EntityUID
	for i := 0; i < len(name)-1; i++ {
		if name[i] == ':' || name[i] == '/' {
			out = append(out, types.NewEntityUID("Container", types.String(name[:i+1])))
		}
	}
	return out
}

// prepareCedar parses the rendered policies and builds one request and one
// entity map per workload request.
func prepareCedar(w *workload.Workload) (Checker, error) {
	ps, err := cedar.NewPolicySetFromBytes(w.Name+".cedar", []byte(cedarPolicies(w)))
	if err != nil {
		return nil, fmt.Errorf("cedar: %w", err)
	}
	var groups []string // wildcard action patterns: the action groups
	seen := map[string]bool{}
	for _, s := range w.Statements {
		if s.Action != "*" && hasWildcard(s.Action) && !seen[s.Action] {
			seen[s.Action] = true
			groups = append(groups, s.Action)
		}
	}
	actionParents := map[string]types.EntityUIDSet{}
	reqs := make([]cedar.Request, len(w.Requests))
	ents := make([]types.EntityMap, len(w.Requests))
	for i := range w.Requests {
		r := &w.Requests[i]
		em := types.EntityMap{}

		puid := types.NewEntityUID("User", types.String(r.Principal))
		var roles []types.EntityUID
		for _, role := range r.Roles {
			roles = append(roles, types.NewEntityUID("Role", types.String(role)))
		}
		pattrs := types.RecordMap{}
		if r.Tenant != "" {
			pattrs["tenant"] = types.String(r.Tenant)
		}
		em[puid] = types.Entity{UID: puid, Parents: types.NewEntityUIDSet(roles...), Attributes: types.NewRecord(pattrs)}

		ruid := types.NewEntityUID("Resource", types.String(r.Resource))
		rattrs := types.RecordMap{"name": types.String(r.Resource)}
		if r.ResourceTenant != "" {
			rattrs["tenant"] = types.String(r.ResourceTenant)
		}
		if r.ResourceStatus != "" {
			rattrs["status"] = types.String(r.ResourceStatus)
		}
		em[ruid] = types.Entity{UID: ruid, Parents: types.NewEntityUIDSet(containers(r.Resource)...), Attributes: types.NewRecord(rattrs)}

		auid := types.NewEntityUID("Action", types.String(r.Action))
		parents, ok := actionParents[r.Action]
		if !ok {
			var ps []types.EntityUID
			for _, g := range groups {
				if workload.Like(g, r.Action, true) {
					ps = append(ps, types.NewEntityUID("Action", types.String(g)))
				}
			}
			parents = types.NewEntityUIDSet(ps...)
			actionParents[r.Action] = parents
		}
		em[auid] = types.Entity{UID: auid, Parents: parents}

		ctx := types.RecordMap{}
		if r.Company != "" {
			ctx["companyId"] = types.String(r.Company)
		}
		reqs[i] = cedar.Request{Principal: puid, Action: auid, Resource: ruid, Context: types.NewRecord(ctx)}
		ents[i] = em
	}
	return func(i int) (bool, error) {
		d, diag := cedar.Authorize(ps, ents[i], reqs[i])
		if len(diag.Errors) > 0 {
			return false, fmt.Errorf("cedar: %v", diag.Errors[0])
		}
		return d == cedar.Allow, nil
	}, nil
}
