package workload

import "strings"

// Effect is a statement's effect.
type Effect uint8

// Effects.
const (
	Allow Effect = iota
	Deny
)

// String returns "Allow" or "Deny".
func (e Effect) String() string {
	if e == Deny {
		return "Deny"
	}
	return "Allow"
}

// TenantSource says which value a statement's tenant condition compares
// resource:tenant with.
type TenantSource uint8

// Tenant sources.
const (
	// TenantNone: the statement has no tenant condition.
	TenantNone TenantSource = iota
	// TenantPrincipal: resource:tenant must equal ${principal:tenant}.
	TenantPrincipal
	// TenantClaim: resource:tenant must equal ${jwt:custom:companyId}.
	TenantClaim
)

// String returns "", "principal" or "claim".
func (t TenantSource) String() string {
	switch t {
	case TenantPrincipal:
		return "principal"
	case TenantClaim:
		return "claim"
	}
	return ""
}

// Statement is one policy statement of the model. Action and Resource are IAM
// patterns (* matches any run of characters, ? exactly one); the other fields
// are conditions, all of which must hold.
type Statement struct {
	Effect   Effect
	Action   string
	Resource string
	// Role, when set, requires the principal to hold the role: in IAM,
	// "ForAnyValue:StringEquals": {"principal:roles": Role}.
	Role string
	// Tenant, when set, requires resource:tenant to equal the principal's
	// tenant attribute or the token's custom:companyId claim.
	Tenant TenantSource
	// Status, when set, requires resource:status to equal it.
	Status string
}

// Request is one question of a workload with the decision it must get.
type Request struct {
	// Principal is the user's id; Roles its roles after resolution
	// (principal:roles).
	Principal string
	Roles     []string
	// Tenant is the principal's tenant attribute (principal:tenant) and
	// Company the token claim custom:companyId (jwt:custom:companyId); both
	// are empty outside the tenant workload.
	Tenant  string
	Company string

	Action   string
	Resource string
	// ResourceTenant and ResourceStatus are the resource's attributes
	// resource:tenant and resource:status (empty: not sent).
	ResourceTenant string
	ResourceStatus string

	// Allow is the expected decision, computed by [Workload.Decide].
	Allow bool
}

// HasRole reports whether r's principal holds role.
func (r *Request) HasRole(role string) bool {
	for _, x := range r.Roles {
		if x == role {
			return true
		}
	}
	return false
}

// Workload is one generated benchmark workload.
type Workload struct {
	// Name is one of [Names]; Size the number of statements.
	Name string
	Size int
	// Seed is the seed the generator used.
	Seed       uint64
	Statements []Statement
	Requests   []Request
}

// Decide is the model's own reading of a request: IAM's rules in their
// plainest form — an explicit Deny beats an Allow, which beats the implicit
// deny — over a linear scan of every statement. It is the reference the
// benchmarks check every system against, and is deliberately simple rather
// than fast.
func (w *Workload) Decide(r *Request) bool {
	allowed := false
	for i := range w.Statements {
		s := &w.Statements[i]
		if s.Effect == Allow && allowed {
			continue // an Allow is already known; only a Deny can change it
		}
		if !s.Matches(r) {
			continue
		}
		if s.Effect == Deny {
			return false
		}
		allowed = true
	}
	return allowed
}

// Matches reports whether s applies to r: its action, resource and every
// condition match. Actions compare case-insensitively and resources
// case-sensitively, as in IAM.
func (s *Statement) Matches(r *Request) bool {
	return s.matchAction(r) && s.matchResource(r) && s.matchConditions(r)
}

func (s *Statement) matchAction(r *Request) bool { return Like(s.Action, r.Action, true) }

func (s *Statement) matchResource(r *Request) bool { return Like(s.Resource, r.Resource, false) }

func (s *Statement) matchConditions(r *Request) bool {
	if s.Role != "" && !r.HasRole(s.Role) {
		return false
	}
	switch s.Tenant {
	case TenantPrincipal:
		// An absent variable makes the condition false in IAM.
		if r.Tenant == "" || r.ResourceTenant != r.Tenant {
			return false
		}
	case TenantClaim:
		if r.Company == "" || r.ResourceTenant != r.Company {
			return false
		}
	}
	if s.Status != "" && r.ResourceStatus != s.Status {
		return false
	}
	return true
}

// Like reports whether s matches the IAM pattern pat, in which * matches any
// run of characters (including none, and including / and :) and ? exactly
// one. fold makes the comparison ASCII case-insensitive (for actions).
//
// It is written for clarity: a recursive-free backtracking match on bytes,
// which is enough for the ASCII names the workloads generate.
func Like(pat, s string, fold bool) bool {
	if !strings.ContainsAny(pat, "*?") {
		if fold {
			return strings.EqualFold(pat, s)
		}
		return pat == s
	}
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pat) && pat[p] == '*':
			star, mark = p, i
			p++
		case p < len(pat) && (pat[p] == '?' || sameByte(pat[p], s[i], fold)):
			p++
			i++
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

func sameByte(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	if 'A' <= a && a <= 'Z' {
		a += 'a' - 'A'
	}
	if 'A' <= b && b <= 'Z' {
		b += 'a' - 'A'
	}
	return a == b
}
