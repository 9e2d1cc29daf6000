package workload

import (
	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
)

// EnginePolicies returns the workload as gatehouse's server compiles a
// store: a statement that belongs to a role goes into a policy attached to
// that role (engine.AttachRole, as a role lists its policies), without the
// principal:roles condition; the others apply to every request. Documents
// hold at most [DocStatements] statements.
func (w *Workload) EnginePolicies() []engine.Policy {
	type group struct {
		attach engine.Attachment
		docs   []*policy.Document
	}
	var order []string
	groups := map[string]*group{}
	for i := range w.Statements {
		s := &w.Statements[i]
		g := groups[s.Role]
		if g == nil {
			g = &group{}
			if s.Role != "" {
				g.attach = engine.Attachment{Kind: engine.AttachRole, ID: s.Role}
			}
			groups[s.Role] = g
			order = append(order, s.Role)
		}
		if n := len(g.docs); n == 0 || len(g.docs[n-1].Statements) == DocStatements {
			name := w.Name + "-" + s.Role
			g.docs = append(g.docs, &policy.Document{File: name, Version: policy.Version2012, StatementIsList: true})
		}
		d := g.docs[len(g.docs)-1]
		d.Statements = append(d.Statements, s.document(i, len(d.Statements), false))
	}
	var ps []engine.Policy
	for _, role := range order {
		g := groups[role]
		for _, d := range g.docs {
			ps = append(ps, engine.Policy{Name: d.File, Kind: policy.KindIdentity, Doc: d, Attach: g.attach})
		}
	}
	return ps
}

// EngineRequests converts every request of the workload to an
// engine.Request, as the server would fill it: principal:roles from the
// resolved roles, principal:tenant from the principal's attributes,
// jwt:custom:companyId from the token's claims, resource:tenant and
// resource:status from the resource's attributes.
func (w *Workload) EngineRequests() []*engine.Request {
	out := make([]*engine.Request, len(w.Requests))
	for i := range w.Requests {
		out[i] = w.Requests[i].Engine()
	}
	return out
}

// Engine converts r to an engine.Request.
func (r *Request) Engine() *engine.Request {
	er := &engine.Request{
		Principal: engine.Principal{Type: "user", ID: r.Principal, Roles: r.Roles},
		Action:    r.Action,
		Resource:  engine.Resource{Name: r.Resource},
	}
	if r.Tenant != "" {
		er.Principal.Attributes = map[string]engine.Values{AttrTenant: {r.Tenant}}
	}
	if r.Company != "" {
		er.Claims = map[string]engine.Values{ClaimCompany: {r.Company}}
	}
	if r.ResourceTenant != "" || r.ResourceStatus != "" {
		er.Resource.Attributes = map[string]engine.Values{}
		if r.ResourceTenant != "" {
			er.Resource.Attributes[AttrTenant] = engine.Values{r.ResourceTenant}
		}
		if r.ResourceStatus != "" {
			er.Resource.Attributes[AttrStatus] = engine.Values{r.ResourceStatus}
		}
	}
	return er
}
