package bench

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"gatehouse.dev/gatehouse/internal/workload"
)

// casbin form. One policy line per statement (p = act, obj, role, tenant,
// status, eft) in the in-memory adapter, users' roles as grouping lines
// (g = user, role), and the allow-and-deny effect that IAM needs. The
// matcher is built for each workload from only the tests its statements
// use, cheapest first, because casbin evaluates the matcher against every
// policy line:
//
//   - actions and resources with no wildcard but one trailing * use the
//     built-in keyMatch (a prefix test); other IAM patterns use a custom
//     function iamLike backed by regular expressions compiled once, casbin's
//     own globMatch and keyMatch2-5 giving * path meaning (it stops at /);
//   - a role test is the built-in RBAC g(r.sub, p.role);
//   - tenant and status tests compare request fields, as casbin's ABAC
//     examples do with plain request values (no struct reflection).

const casbinNone = "-" // an unused policy field

// casbinModel returns the model text for w.
func casbinModel(w *workload.Workload) string {
	var trailingAct, trailingRes = true, true
	var roles, tenants, statuses bool
	for _, s := range w.Statements {
		trailingAct = trailingAct && !hasWildcard(strings.TrimSuffix(s.Action, "*"))
		trailingRes = trailingRes && !hasWildcard(strings.TrimSuffix(s.Resource, "*"))
		roles = roles || s.Role != ""
		tenants = tenants || s.Tenant != workload.TenantNone
		statuses = statuses || s.Status != ""
	}
	var terms []string
	if trailingAct {
		terms = append(terms, "keyMatch(r.act, p.act)")
	} else {
		terms = append(terms, "iamLike(r.act, p.act)")
	}
	if trailingRes {
		terms = append(terms, "keyMatch(r.obj, p.obj)")
	} else {
		terms = append(terms, "iamLike(r.obj, p.obj)")
	}
	if roles {
		terms = append(terms, `(p.role == "-" || g(r.sub, p.role))`)
	}
	if tenants {
		terms = append(terms, `(p.tenant == "-" || p.tenant == "principal" && r.otenant == r.ptenant || p.tenant == "claim" && r.otenant == r.company)`)
	}
	if statuses {
		terms = append(terms, `(p.status == "-" || r.status == p.status)`)
	}
	return `[request_definition]
r = sub, obj, act, ptenant, company, otenant, status

[policy_definition]
p = act, obj, role, tenant, status, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = ` + strings.Join(terms, " && ") + "\n"
}

// iamRegexp translates an IAM pattern into an anchored regular expression.
func iamRegexp(p string, fold bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	if fold {
		b.WriteString("(?i)")
	}
	for _, c := range p {
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// prepareCasbin builds the enforcer and each request's arguments.
func prepareCasbin(w *workload.Workload) (Checker, error) {
	m, err := model.NewModelFromString(casbinModel(w))
	if err != nil {
		return nil, fmt.Errorf("casbin model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("casbin: %w", err)
	}
	res := map[string]*regexp.Regexp{}
	var rules [][]string
	none := func(s string) string {
		if s == "" {
			return casbinNone
		}
		return s
	}
	for _, s := range w.Statements {
		eft := "allow"
		if s.Effect == workload.Deny {
			eft = "deny"
		}
		rules = append(rules, []string{s.Action, s.Resource, none(s.Role), none(s.Tenant.String()), none(s.Status), eft})
		if res[s.Action] == nil {
			res[s.Action] = iamRegexp(s.Action, true)
		}
		if res[s.Resource] == nil {
			res[s.Resource] = iamRegexp(s.Resource, false)
		}
	}
	e.AddFunction("iamLike", func(args ...any) (any, error) {
		return res[args[1].(string)].MatchString(args[0].(string)), nil
	})
	if _, err := e.AddPoliciesEx(rules); err != nil {
		return nil, fmt.Errorf("casbin policies: %w", err)
	}
	var groups [][]string
	args := make([][]any, len(w.Requests))
	for i := range w.Requests {
		r := &w.Requests[i]
		for _, role := range r.Roles {
			groups = append(groups, []string{r.Principal, role})
		}
		// Absent values get distinct placeholders, so that two absent
		// values never compare equal (IAM: an absent key fails StringEquals).
		orNone := func(v, placeholder string) string {
			if v == "" {
				return placeholder
			}
			return v
		}
		args[i] = []any{r.Principal, r.Resource, r.Action,
			orNone(r.Tenant, "-ptenant"), orNone(r.Company, "-company"), orNone(r.ResourceTenant, "-otenant"), orNone(r.ResourceStatus, "-status")}
	}
	if len(groups) > 0 {
		if _, err := e.AddGroupingPoliciesEx(groups); err != nil {
			return nil, fmt.Errorf("casbin roles: %w", err)
		}
	}
	return func(i int) (bool, error) { return e.Enforce(args[i]...) }, nil
}
