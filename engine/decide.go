package engine

import (
	"fmt"
	"strings"
)

// maxInlineAction is the longest action lower-cased on the stack; longer
// ones (unusual) cost one allocation.
const maxInlineAction = 128

// query is one request prepared for index lookups. It lives on the stack,
// so it holds lengths into its own buffer rather than slices of it.
type query struct {
	r *Request
	// buf[:n] is the request action lower-cased (or long, for actions
	// longer than the buffer); its first svc bytes are the service prefix
	// before the first ':' (svc < 0 when there is none).
	buf  [maxInlineAction]byte
	n    int
	svc  int
	long string
	// boundary and session say whether a permissions boundary or session
	// policy applies; limits caches whether they allow the request: 0
	// unknown, 1 yes, 2 no.
	boundary, session bool
	limits            uint8
}

func (q *query) init(r *Request) {
	q.r = r
	a := r.Action
	q.svc = strings.IndexByte(a, ':')
	if len(a) > maxInlineAction {
		q.long = strings.ToLower(a)
		return
	}
	q.n = len(a)
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		q.buf[i] = c
	}
}

// lookup finds the action (whole=true) or its service prefix in m without
// allocating.
func (q *query) lookup(m map[string]*bucket, whole bool) *bucket {
	if q.long != "" {
		if whole {
			return m[q.long]
		}
		if q.svc < 0 {
			return nil
		}
		return m[q.long[:q.svc]]
	}
	if whole {
		return m[string(q.buf[:q.n])]
	}
	if q.svc < 0 {
		return nil
	}
	return m[string(q.buf[:q.svc])]
}

// maxInlineAttached is how many attachment groups one decision collects on
// the stack; a principal with more roles, groups and ids that have policies
// attached costs one allocation.
const maxInlineAttached = 8

// maxInlineHits is how many selected buckets one decision keeps on the
// stack.
const maxInlineHits = 24

// Decide decides r: explicit deny if any Deny statement in any applicable
// policy matches; allowed if an identity Allow matches and every
// permissions boundary and session policy present allows too, or a
// resource-policy Allow matches (not limited by boundary or session when it
// names the principal directly); implicit deny otherwise. Identity policies
// and boundaries attached to a role, user, group or app apply only when the
// principal holds that role, is that user or app, or is in that group. It
// allocates nothing in the common case.
func (e *Engine) Decide(r *Request) Decision {
	var q query
	q.init(r)
	var abuf [maxInlineAttached]*attached
	att := e.attachedTo(r, abuf[:0])

	// Look every applicable set up once, noting which limits are present.
	var hbuf [maxInlineHits]hit
	hits := hbuf[:0]
	for k := range e.all {
		hits = e.all[k].lookup(&q, uint8(k), hits)
	}
	q.boundary = e.all[setBoundary].n > 0
	q.session = e.all[setSession].n > 0
	for _, a := range att {
		hits = a.identity.lookup(&q, setIdentity, hits)
		hits = a.boundary.lookup(&q, setBoundary, hits)
		hits = a.session.lookup(&q, setSession, hits)
		q.boundary = q.boundary || a.boundary.n > 0
		q.session = q.session || a.session.n > 0
	}

	for i := range hits {
		h := &hits[i]
		if s := h.b.deny.first(&q, false, h.exact); s != nil {
			return Decision{Reason: ExplicitDeny, By: &s.ref}
		}
	}
	if s := firstAllow(&q, hits, setIdentity, false); s != nil && limitsAllow(&q, hits) {
		return Decision{Reason: Allowed, By: &s.ref}
	}
	if e.all[setResource].n > 0 {
		if s := firstAllow(&q, hits, setResource, !limitsAllow(&q, hits)); s != nil {
			return Decision{Reason: Allowed, By: &s.ref}
		}
	}
	return Decision{Reason: ImplicitDeny}
}

// firstAllow returns the first matching Allow among the hits of one kind.
func firstAllow(q *query, hits []hit, kind uint8, needDirect bool) *stmt {
	for i := range hits {
		if h := &hits[i]; h.kind == kind {
			if s := h.b.allow.first(q, needDirect, h.exact); s != nil {
				return s
			}
		}
	}
	return nil
}

// attachedTo appends the attachment groups that apply to r's principal.
func (e *Engine) attachedTo(r *Request, out []*attached) []*attached {
	if e.byRole != nil {
		for _, role := range r.Principal.Roles {
			if a := e.byRole[role]; a != nil {
				out = append(out, a)
			}
		}
	}
	if e.byGroup != nil {
		for _, g := range r.Principal.Groups {
			if a := e.byGroup[g]; a != nil {
				out = append(out, a)
			}
		}
	}
	switch r.Principal.Type {
	case "user":
		if a := e.byUser[r.Principal.ID]; a != nil {
			out = append(out, a)
		}
	case "app":
		if a := e.byApp[r.Principal.ID]; a != nil {
			out = append(out, a)
		}
	case "session":
		if a := e.bySession[r.Principal.ID]; a != nil {
			out = append(out, a)
		}
	}
	return out
}

// limitsAllow reports whether the permissions boundary (the union of every
// boundary document that applies) and the session policies, where present,
// allow the request.
func limitsAllow(q *query, hits []hit) bool {
	if q.limits == 0 {
		q.limits = 1
		if (q.session && firstAllow(q, hits, setSession, false) == nil) ||
			(q.boundary && firstAllow(q, hits, setBoundary, false) == nil) {
			q.limits = 2
		}
	}
	return q.limits == 1
}

// DecideFields decides the object and each field ("<name>#<field>") of r's
// resource with r's action, appending the field decisions to out.
func (e *Engine) DecideFields(r *Request, fields []string, out []FieldDecision) (Decision, []FieldDecision) {
	d := e.Decide(r)
	fr := *r
	for _, f := range fields {
		fr.Resource.Name = FieldResource(r.Resource.Name, f)
		out = append(out, FieldDecision{Field: f, Decision: e.Decide(&fr)})
	}
	return d, out
}

// FieldResource returns the resource name of a field: "<name>#<field>"
// (API.md §5).
func FieldResource(name, field string) string {
	return name + "#" + field
}

// matches reports whether the statement applies to r: action, resource,
// principal and every condition.
func (s *stmt) matches(r *Request, needDirect bool) bool {
	return s.matchesFrom(r, needDirect, false)
}

func (s *stmt) matchesFrom(r *Request, needDirect, actionKnown bool) bool {
	if (!actionKnown && !s.matchAction(r)) || !s.matchResource(r) {
		return false
	}
	if s.principal != nil {
		ok, direct := s.matchPrincipal(r)
		if !ok || (needDirect && !direct) {
			return false
		}
	} else if needDirect {
		return false
	}
	for _, c := range s.conds {
		if !c.eval(r) {
			return false
		}
	}
	return true
}

func (s *stmt) matchAction(r *Request) bool {
	return anyMatch(s.actions, r.Action, r) != s.notAction
}

func (s *stmt) matchResource(r *Request) bool {
	if s.scope != nil && !s.scope.match(r.Resource.Name, r) {
		return false
	}
	if s.anyResource {
		return true
	}
	return anyMatch(s.resources, r.Resource.Name, r) != s.notResource
}

// matchPrincipal reports whether the Principal (or NotPrincipal) element
// applies and whether it names the principal directly.
func (s *stmt) matchPrincipal(r *Request) (ok, direct bool) {
	ok, direct = s.principal.match(r)
	if s.notPrincipal {
		return !ok, false
	}
	return ok, direct
}

func anyMatch(pats []*pattern, v string, r *Request) bool {
	for _, p := range pats {
		if p.match(v, r) {
			return true
		}
	}
	return false
}

// String returns a short description of the engine for logs.
func (e *Engine) String() string {
	return fmt.Sprintf("engine{statements=%d attached to roles=%d users=%d groups=%d apps=%d}",
		len(e.stmts), len(e.byRole), len(e.byUser), len(e.byGroup), len(e.byApp))
}
