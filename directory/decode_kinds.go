package directory

import (
	"fmt"
	"slices"
	"strconv"

	"gatehouse.dev/gatehouse/policy"
)

// This file checks each kind's fields once Decode has read them.

// Session length bounds of a role (AWS STS allows 900 s to 12 h).
const (
	MinSessionSeconds = 900
	MaxSessionSeconds = 43200
)

func (d *decoder) policy() Object {
	p := &Policy{ID: d.checkID("id", checkName), Description: d.description()}
	p.Document, p.doc = d.document("document", policy.KindIdentity)
	return p
}

func (d *decoder) role() Object {
	r := &Role{Name: d.checkID("name", checkRoleName), Description: d.description()}
	r.Policies = d.list("policies", "policy id", checkName)
	r.Includes = d.list("includes", "role name", checkRoleName)
	for i, inc := range r.Includes {
		if isDynamicRole(inc) {
			ep := d.ptr["includes"] + "/" + strconv.Itoa(i)
			d.s.errorf(d.s.at(ep), ep, CodeDynamicRole, "a role cannot include %s: the server decides on every request who holds it. Attach the policies to the role %s instead, or include a stored role", inc, r.Name)
		}
	}
	if d.has("trust_policy") {
		if isDynamicRole(r.Name) {
			d.errorAt("trust_policy", CodeDynamicRole, "%s cannot have a trust policy: a dynamic role cannot be assumed", r.Name)
		}
		r.TrustPolicy, r.trust = d.document("trust_policy", policy.KindTrust)
	}
	if d.has("max_session_seconds") {
		n, _ := strconv.ParseInt(d.str("max_session_seconds"), 10, 64)
		r.MaxSessionSeconds = n
		if n < MinSessionSeconds || n > MaxSessionSeconds {
			d.errorAt("max_session_seconds", CodeBadValue, "max_session_seconds is %d: give %d (15 minutes) to %d (12 hours), or leave it out for the default",
				n, MinSessionSeconds, MaxSessionSeconds)
		}
	}
	return r
}

// principalType checks a principal_type among allowed.
func (d *decoder) principalType(allowed ...PrincipalType) PrincipalType {
	s := d.str("principal_type")
	for _, a := range allowed {
		if s == string(a) {
			return a
		}
	}
	names := fmt.Sprint(allowed)
	msg := fmt.Sprintf("principal_type %s is not one of %s", quote(s), names[1:len(names)-1])
	for _, a := range allowed {
		if equalFold(s, string(a)) {
			msg = fmt.Sprintf("principal_type %s must be written %s (upper case, as LoopBack does)", quote(s), a)
		}
	}
	d.errorAt("principal_type", CodeBadValue, "%s", msg)
	return PrincipalType(s)
}

// principalID checks a principal_id for a principal type.
func (d *decoder) principalID(t PrincipalType) string {
	id := d.str("principal_id")
	var err error
	switch t {
	case PrincipalRole:
		err = checkRoleName("principal_id (a role)", id)
	case PrincipalUser, PrincipalApp, PrincipalGroup:
		err = checkPrincipalID("principal_id", id)
	default:
		return id
	}
	if err != nil {
		d.errorAt("principal_id", CodeBadID, "%v", err)
	}
	return id
}

// targetRole checks a role given by a mapping or claim rule.
func (d *decoder) targetRole() string {
	role := d.str("role")
	if err := checkRoleName("role", role); err != nil {
		d.errorAt("role", CodeBadID, "%v", err)
	} else if isDynamicRole(role) {
		d.errorAt("role", CodeDynamicRole, "%s cannot be given by a %s: the server decides on every request who holds it. Map to a stored role and attach the policies there",
			role, kindNoun(d.kind))
	}
	return role
}

func (d *decoder) mapping() Object {
	m := &RoleMapping{ID: d.checkID("id", checkName)}
	m.PrincipalType = d.principalType(PrincipalUser, PrincipalGroup, PrincipalApp, PrincipalRole)
	m.PrincipalID = d.principalID(m.PrincipalType)
	m.Role = d.targetRole()
	return m
}

func (d *decoder) user() Object {
	u := &User{ID: d.checkID("id", checkPrincipalID)}
	u.Attributes, u.attrs = d.attributes()
	u.Groups = d.list("groups", "group id", checkPrincipalID)
	u.groups = slices.Clone(u.Groups)
	slices.Sort(u.groups)
	u.groups = slices.Compact(u.groups)
	if len(u.groups) > smallSet {
		u.groupSet = make(map[string]struct{}, len(u.groups))
		for _, g := range u.groups {
			u.groupSet[g] = struct{}{}
		}
	}
	u.Policies = d.list("policies", "policy id", checkName)
	return u
}

func (d *decoder) group() Object {
	g := &Group{ID: d.checkID("id", checkPrincipalID), Description: d.description()}
	g.Policies = d.list("policies", "policy id", checkName)
	return g
}

func (d *decoder) app() Object {
	a := &App{ID: d.checkID("id", checkPrincipalID), Description: d.description()}
	a.Attributes, a.attrs = d.attributes()
	a.Policies = d.list("policies", "policy id", checkName)
	return a
}

func (d *decoder) claimRule() Object {
	c := &ClaimRule{ID: d.checkID("id", checkName), Description: d.description()}
	c.Claim = d.str("claim")
	switch {
	case c.Claim == "":
		d.errorAt("claim", CodeBadValue, "claim is empty: name the token claim to test (\"groups\", \"custom:org\")")
	case len(c.Claim) > MaxClaimNameBytes:
		d.errorAt("claim", CodeBadValue, "claim is %d bytes; at most %d are allowed", len(c.Claim), MaxClaimNameBytes)
	default:
		if err := checkText("claim", c.Claim, false); err != nil {
			d.errorAt("claim", CodeBadValue, "%v", err)
		}
	}
	c.Op = ClaimOp(d.str("op"))
	c.Value = d.str("value")
	switch c.Op {
	case ClaimContains, ClaimEquals:
		if c.Value == "" {
			d.errorAt("op", CodeMissingField, "op %s needs a value to compare the claim with", c.Op)
		}
	case ClaimPresent:
		if d.has("value") && c.Value != "" {
			d.errorAt("value", CodeBadValue, "op present takes no value (it tests only that the claim is there): leave value out, or use contains or equals")
		}
	default:
		msg := fmt.Sprintf("op %s is not contains, equals or present", quote(string(c.Op)))
		if s := suggest(string(c.Op), []string{"contains", "equals", "present"}); s != "" {
			msg += fmt.Sprintf(": did you mean %q?", s)
		}
		d.errorAt("op", CodeBadValue, "%s", msg)
	}
	if err := checkText("value", c.Value, true); err != nil {
		d.errorAt("value", CodeBadValue, "%v", err)
	}
	c.Role = d.targetRole()
	if d.has("issuer") {
		c.Issuer = d.str("issuer")
		if err := checkName("issuer", c.Issuer); err != nil {
			d.errorAt("issuer", CodeBadID, "%v", err)
		}
	}
	return c
}

func (d *decoder) resourcePolicy() Object {
	p := &ResourcePolicy{ID: d.checkID("id", checkName), Description: d.description()}
	p.Resource = d.str("resource")
	switch {
	case p.Resource == "":
		d.errorAt("resource", CodeBadValue, "resource is empty: give the pattern the policy is attached to (\"orders:acme/*\")")
	case len(p.Resource) > MaxResourcePatternBytes:
		d.errorAt("resource", CodeBadValue, "resource is %d bytes; at most %d are allowed", len(p.Resource), MaxResourcePatternBytes)
	default:
		if err := checkPattern("resource", p.Resource); err != nil {
			d.errorAt("resource", CodeBadValue, "%v", err)
		}
	}
	p.Document, p.doc = d.document("document", policy.KindResource)
	return p
}

func (d *decoder) boundary() Object {
	b := &Boundary{ID: d.checkID("id", checkName), Description: d.description()}
	b.PrincipalType = d.principalType(PrincipalUser, PrincipalApp)
	b.PrincipalID = d.principalID(b.PrincipalType)
	b.Document, b.doc = d.document("document", policy.KindBoundary)
	return b
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
