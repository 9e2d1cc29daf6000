package workload

import "fmt"

// RBAC vocabulary: 8 verbs x 4 nouns = 32 actions per service.
var (
	rbacVerbs = []string{"Read", "List", "Create", "Update", "Delete", "Approve", "Export", "Share"}
	rbacNouns = []string{"Thing", "Order", "Invoice", "Report"}
)

// Roles that the two global statements of the rbac workload name.
const (
	RoleAdmin     = "admin"
	RoleSuspended = "suspended"
)

// genRBAC builds the rbac workload (docs/benchmarks.md, "rbac"):
//
//   - statement 0: Allow "*" on "*" for role admin;
//   - statement 1: Deny "*" on "*" for role suspended;
//   - every other statement: one exact action "svcS:VerbNoun" on one
//     trailing-wildcard resource "svcS:tenantT/*" for one role; 10% of them
//     are Deny on "svcS:tenantT/locked/*".
//
// Services number size/100 (at least 1), so each of the size/100*32
// actions appears in about 3 statements; roles number size/10 (at least 2),
// about 10 statements each; tenants number size/50 (at least 2).
func genRBAC(g *gen0) {
	size := g.w.Size
	services, roles, tenants := scale(size, 100, 1), scale(size, 10, 2), scale(size, 50, 2)
	action := func() (int, string) {
		s := g.n(services)
		return s, fmt.Sprintf("svc%d:%s%s", s, g.pick(rbacVerbs), g.pick(rbacNouns))
	}
	g.add(Statement{Effect: Allow, Action: "*", Resource: "*", Role: RoleAdmin})
	g.add(Statement{Effect: Deny, Action: "*", Resource: "*", Role: RoleSuspended})
	for len(g.w.Statements) < size {
		s, a := action()
		st := Statement{Effect: Allow, Action: a, Role: fmt.Sprintf("role%d", g.n(roles))}
		prefix := fmt.Sprintf("svc%d:tenant%d/", s, g.n(tenants))
		if g.chance(10) {
			st.Effect = Deny
			prefix += "locked/"
		}
		st.Resource = prefix + "*"
		g.add(st)
	}
	for i := 0; i < RequestCount; i++ {
		r := Request{Principal: fmt.Sprintf("user%d", i), Roles: g.roles(roles)}
		if g.chance(2) {
			r.Roles = append(r.Roles, RoleAdmin)
		}
		if g.chance(2) {
			r.Roles = append(r.Roles, RoleSuspended)
		}
		obj := fmt.Sprintf("obj%d", g.n(100_000))
		if g.chance(50) {
			// Aimed at one statement: its role, action and resource prefix.
			st := g.w.Statements[2+g.n(size-2)]
			if !r.HasRole(st.Role) {
				r.Roles = append(r.Roles, st.Role)
			}
			r.Action = st.Action
			prefix := st.Resource[:len(st.Resource)-1]
			if st.Effect == Allow && g.chance(20) {
				prefix += "locked/"
			}
			r.Resource = prefix + obj
		} else {
			s, a := action()
			r.Action = a
			r.Resource = fmt.Sprintf("svc%d:tenant%d/", s, g.n(tenants))
			if g.chance(20) {
				r.Resource += "locked/"
			}
			r.Resource += obj
		}
		g.request(r)
	}
}
