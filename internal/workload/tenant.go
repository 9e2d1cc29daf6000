package workload

import "fmt"

// Tenant vocabulary: 8 verbs x 5 nouns = 40 actions per service, 50 tenants.
var (
	tenantVerbs = []string{"Get", "List", "Create", "Update", "Delete", "Approve", "Export", "Share"}
	tenantNouns = []string{"Order", "Invoice", "Customer", "Shipment", "Ticket"}
)

const tenantCount = 50

// Resource statuses of the tenant workload.
const (
	StatusActive      = "active"
	StatusLocked      = "locked"
	StatusQuarantined = "quarantined"
)

// genTenant builds the tenant workload (docs/benchmarks.md, "tenant"):
//
//   - statement 0: Deny "*" on "*" when resource:status is quarantined;
//   - 90% of the others: Allow one exact action "svcS:VerbNoun" on "svcS:*"
//     when resource:tenant equals ${principal:tenant} (half of them) or
//     ${jwt:custom:companyId} (the other half);
//   - 10%: Deny "svcS:Delete*" on "svcS:*" when resource:status is locked.
//
// Services number size/40 (at least 1), so each action appears in about one
// Allow statement.
func genTenant(g *gen0) {
	size := g.w.Size
	services := scale(size, 40, 1)
	g.add(Statement{Effect: Deny, Action: "*", Resource: "*", Status: StatusQuarantined})
	for len(g.w.Statements) < size {
		s := g.n(services)
		st := Statement{Effect: Allow, Resource: fmt.Sprintf("svc%d:*", s)}
		if g.chance(10) {
			st.Effect, st.Action, st.Status = Deny, fmt.Sprintf("svc%d:Delete*", s), StatusLocked
		} else {
			st.Action = fmt.Sprintf("svc%d:%s%s", s, g.pick(tenantVerbs), g.pick(tenantNouns))
			st.Tenant = TenantPrincipal
			if g.chance(50) {
				st.Tenant = TenantClaim
			}
		}
		g.add(st)
	}
	tenant := func(i int) string { return fmt.Sprintf("t%d", i) }
	for i := 0; i < RequestCount; i++ {
		a := g.n(tenantCount)
		r := Request{Principal: fmt.Sprintf("user%d", i), Tenant: tenant(a), Company: tenant(a)}
		if g.chance(20) {
			r.Company = tenant(g.n(tenantCount))
		}
		switch k := g.n(100); {
		case k < 60:
			r.ResourceTenant = r.Tenant
		case k < 80:
			r.ResourceTenant = r.Company
		default:
			r.ResourceTenant = tenant(g.n(tenantCount))
		}
		r.ResourceStatus = StatusActive
		switch k := g.n(100); {
		case k < 10:
			r.ResourceStatus = StatusLocked
		case k < 15:
			r.ResourceStatus = StatusQuarantined
		}
		s := g.n(services)
		if g.chance(50) {
			st := g.w.Statements[1+g.n(size-1)]
			fmt.Sscanf(st.Resource, "svc%d:", &s)
			r.Action = st.Action
			if st.Effect == Deny {
				r.Action = fmt.Sprintf("svc%d:Delete%s", s, g.pick(tenantNouns))
			}
		} else {
			r.Action = fmt.Sprintf("svc%d:%s%s", s, g.pick(tenantVerbs), g.pick(tenantNouns))
		}
		r.Resource = fmt.Sprintf("svc%d:%s/obj%d", s, r.ResourceTenant, g.n(100_000))
		g.request(r)
	}
}
