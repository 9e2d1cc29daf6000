package bench

import (
	"context"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"gatehouse.dev/gatehouse/internal/workload"
)

// OPA form. The statements are data, not rules, and the policy is one small
// Rego module that finds a request's candidate statements by lookups into
// indexes built in that data — values looked up by key, not iterated, as
// OPA's performance guidance advises, and a module that stays the same at
// every size (one rule per statement would rely on OPA's rule index, which
// covers equality and prefix tests but not glob patterns). The data holds,
// for each effect:
//
//	exact[action]  statements whose action has no wildcard (one map lookup)
//	svc[service]   statements whose action is "service:" + a wildcard
//	               pattern (one lookup, then glob.match on the action)
//	any            statements whose service part has a wildcard (glob.match)
//
// Resources are checked by kind: "*" (nothing to do), a literal prefix
// followed by * (startswith), an exact name (==), else glob.match with no
// delimiters (IAM's * crosses / and :). Roles arrive as a set in the input;
// the statement's role is one membership test. The query is prepared once
// (rego.PrepareForEval), the store returns AST values without conversion
// (inmem.OptReturnASTValuesOnRead), and each request's input is converted to
// an AST value before timing (rego.EvalParsedInput); one read transaction
// serves every evaluation (rego.EvalTransaction).

const opaModule = `package gatehouse.bench

default allow := false

service := substring(input.action, 0, indexof(input.action, ":"))

allow if {
	not deny
	some s in data.allow.exact[input.action]
	applies(s)
}

allow if {
	not deny
	some s in data.allow.svc[service]
	glob.match(s.a, null, input.action)
	applies(s)
}

allow if {
	not deny
	some s in data.allow.any
	action_any(s)
	applies(s)
}

deny if {
	some s in data.deny.exact[input.action]
	applies(s)
}

deny if {
	some s in data.deny.svc[service]
	glob.match(s.a, null, input.action)
	applies(s)
}

deny if {
	some s in data.deny.any
	action_any(s)
	applies(s)
}

action_any(s) if s.a == "*"

action_any(s) if {
	s.a != "*"
	glob.match(s.a, null, input.action)
}

applies(s) if {
	resource_ok(s)
	role_ok(s)
	tenant_ok(s)
	status_ok(s)
}

resource_ok(s) if s.rk == "any"

resource_ok(s) if {
	s.rk == "prefix"
	startswith(input.resource, s.r)
}

resource_ok(s) if {
	s.rk == "exact"
	input.resource == s.r
}

resource_ok(s) if {
	s.rk == "glob"
	glob.match(s.r, null, input.resource)
}

role_ok(s) if not s.role

role_ok(s) if s.role in input.roles

tenant_ok(s) if not s.tenant

tenant_ok(s) if {
	s.tenant == "principal"
	input.resource_tenant == input.principal_tenant
}

tenant_ok(s) if {
	s.tenant == "claim"
	input.resource_tenant == input.company
}

status_ok(s) if not s.status

status_ok(s) if input.resource_status == s.status
`

// opaData builds the indexed data document from w's statements.
func opaData(w *workload.Workload) map[string]any {
	newIndex := func() map[string]any {
		return map[string]any{"exact": map[string]any{}, "svc": map[string]any{}, "any": []any{}}
	}
	data := map[string]any{"allow": newIndex(), "deny": newIndex()}
	appendTo := func(m map[string]any, key string, s map[string]any) {
		l, _ := m[key].([]any)
		m[key] = append(l, s)
	}
	for i := range w.Statements {
		st := &w.Statements[i]
		s := map[string]any{"a": st.Action}
		switch {
		case st.Resource == "*":
			s["rk"] = "any"
		case strings.HasSuffix(st.Resource, "*") && !hasWildcard(st.Resource[:len(st.Resource)-1]):
			s["rk"], s["r"] = "prefix", st.Resource[:len(st.Resource)-1]
		case !hasWildcard(st.Resource):
			s["rk"], s["r"] = "exact", st.Resource
		default:
			s["rk"], s["r"] = "glob", st.Resource
		}
		if st.Role != "" {
			s["role"] = st.Role
		}
		if st.Tenant != workload.TenantNone {
			s["tenant"] = st.Tenant.String()
		}
		if st.Status != "" {
			s["status"] = st.Status
		}
		idx := data["allow"].(map[string]any)
		if st.Effect == workload.Deny {
			idx = data["deny"].(map[string]any)
		}
		svc, _, _ := strings.Cut(st.Action, ":")
		switch {
		case !hasWildcard(st.Action):
			appendTo(idx["exact"].(map[string]any), st.Action, s)
		case strings.Contains(st.Action, ":") && !hasWildcard(svc):
			appendTo(idx["svc"].(map[string]any), svc, s)
		default:
			idx["any"] = append(idx["any"].([]any), s)
		}
	}
	return data
}

// prepareOPA prepares the query data.gatehouse.bench.allow over the indexed
// data and converts every request's input to an AST value.
func prepareOPA(w *workload.Workload) (Checker, error) {
	ctx := context.Background()
	store := inmem.NewFromObjectWithOpts(opaData(w), inmem.OptReturnASTValuesOnRead(true))
	pq, err := rego.New(
		rego.Query("data.gatehouse.bench.allow"),
		rego.Module("bench.rego", opaModule),
		rego.Store(store),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("opa: %w", err)
	}
	// One read transaction for every evaluation: the data never changes,
	// and Eval would otherwise open and close one per call.
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("opa: %w", err)
	}
	inputs := make([]ast.Value, len(w.Requests))
	for i := range w.Requests {
		r := &w.Requests[i]
		roles := make([]*ast.Term, len(r.Roles))
		for j, role := range r.Roles {
			roles[j] = ast.StringTerm(role)
		}
		in := ast.NewObject(
			ast.Item(ast.StringTerm("action"), ast.StringTerm(r.Action)),
			ast.Item(ast.StringTerm("resource"), ast.StringTerm(r.Resource)),
			ast.Item(ast.StringTerm("roles"), ast.SetTerm(roles...)),
		)
		for k, v := range map[string]string{
			"principal_tenant": r.Tenant, "company": r.Company,
			"resource_tenant": r.ResourceTenant, "resource_status": r.ResourceStatus,
		} {
			if v != "" {
				in.Insert(ast.StringTerm(k), ast.StringTerm(v))
			}
		}
		inputs[i] = in
	}
	return func(i int) (bool, error) {
		rs, err := pq.Eval(ctx, rego.EvalParsedInput(inputs[i]), rego.EvalTransaction(txn))
		if err != nil {
			return false, fmt.Errorf("opa: %w", err)
		}
		if len(rs) != 1 || len(rs[0].Expressions) != 1 {
			return false, fmt.Errorf("opa: unexpected result %v", rs)
		}
		allow, ok := rs[0].Expressions[0].Value.(bool)
		if !ok {
			return false, fmt.Errorf("opa: allow is %T, not a bool", rs[0].Expressions[0].Value)
		}
		return allow, nil
	}, nil
}
