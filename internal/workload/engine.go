package workload

import (
	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
)

// EnginePolicies returns the workload's documents as identity policies for
// engine.Compile.
func (w *Workload) EnginePolicies() []engine.Policy {
	docs := w.Documents()
	ps := make([]engine.Policy, len(docs))
	for i, d := range docs {
		ps[i] = engine.Policy{Name: d.File, Kind: policy.KindIdentity, Doc: d}
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
