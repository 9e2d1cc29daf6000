package directory

import (
	"fmt"
	"slices"
	"strings"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
)

// This file finds the LoopBack trap: LoopBack's ACL "DENY $everyone,
// ALLOW admin" resolves the two by specificity, so admins get in. Under
// IAM's deny-overrides (and gatehouse's), every principal holds $everyone,
// so the Deny matches the admin too and wins. The fix is to drop the Deny:
// what nothing allows is denied by default.

// maxTraps bounds how many traps are reported; the last warning counts the
// rest.
const maxTraps = 50

// state is what trap detection reads: a Directory, or a Directory with a
// set of writes applied (Validate's view).
type state interface {
	each(kind string, fn func(Object))
	object(kind, id string) Object
}

// stmtAt is one statement of a stored policy.
type stmtAt struct {
	kind, id string // KindPolicy or KindResourcePolicy, and its id
	st       *policy.Statement
	// scope is a resource policy's pattern ("" for identity policies).
	scope string
}

func (s stmtAt) ref() string { return ref(s.kind, s.id) }

// is reports whether s is the statement a decision names.
func (s stmtAt) is(r *engine.StatementRef) bool {
	if r == nil || r.Policy != s.id || r.Index != s.st.Index {
		return false
	}
	if s.kind == KindResourcePolicy {
		return r.Kind == policy.KindResource
	}
	return r.Kind == policy.KindIdentity
}

// describe renders `policy "p" statement 0 ("Sid")`.
func (s stmtAt) describe() string {
	d := fmt.Sprintf("%s %s statement %d", kindNoun(s.kind), quote(s.id), s.st.Index)
	if s.st.Sid != "" {
		d += fmt.Sprintf(" (%s)", quote(s.st.Sid))
	}
	return d
}

// trap is one Deny that applies to every principal beside an Allow for a
// role, where the two can meet.
type trap struct {
	deny, allow stmtAt
	// everyone is the dynamic role the Deny applies to ($everyone or
	// $authenticated).
	everyone string
	// roles are the roles the Allow is for.
	roles []string
	// refs are every object involved: both policies and the objects that
	// attach them.
	refs []string
}

// warning renders the trap.
func (t *trap) warning() Warning {
	who := "every principal"
	if t.everyone == RoleAuthenticated {
		who = "every signed-in principal"
	}
	allow := t.allow.describe()
	if t.allow.kind == t.deny.kind && t.allow.id == t.deny.id {
		allow = fmt.Sprintf("statement %d", t.allow.st.Index)
		if t.allow.st.Sid != "" {
			allow += fmt.Sprintf(" (%s)", quote(t.allow.st.Sid))
		}
		allow += " of the same policy"
	}
	roles := "the role " + t.roles[0]
	if len(t.roles) > 1 {
		roles = "the roles " + strings.Join(t.roles, ", ")
	}
	what := "it"
	if da, aa := describeActions(t.deny.st)+" on "+describeResources(t.deny), describeActions(t.allow.st)+" on "+describeResources(t.allow); da != aa {
		what = aa
	}
	msg := fmt.Sprintf("%s denies %s on %s to %s (%s), and %s allows %s to %s. "+
		"Every principal with %s also holds %s, and an explicit Deny always wins over an Allow, so %s is denied too "+
		"(LoopBack lets the more specific ACL win; IAM and gatehouse do not). "+
		"Remove the Deny and rely on default deny: what no statement allows is denied.",
		t.deny.describe(), describeActions(t.deny.st), describeResources(t.deny), who, t.everyone,
		allow, what, roles, roles[len("the "):], t.everyone, strings.Join(t.roles, ", "))
	return Warning{Code: CodeDenyOverridesRole, Message: msg, Refs: t.refs}
}

// describeActions renders a statement's actions for a message.
func describeActions(st *policy.Statement) string {
	if st.NotAction != nil {
		return "every action but " + joinStrs(st.NotAction)
	}
	return joinStrs(st.Action)
}

// describeResources renders a statement's resources for a message.
func describeResources(s stmtAt) string {
	switch {
	case s.st.NotResource != nil:
		return "every resource but " + joinStrs(s.st.NotResource)
	case s.st.Resource != nil:
		return joinStrs(s.st.Resource)
	case s.scope != "":
		return s.scope
	}
	return "*"
}

func joinStrs(ss []policy.Str) string {
	const max = 3
	parts := make([]string, 0, max+1)
	for i, s := range ss {
		if i == max {
			parts = append(parts, fmt.Sprintf("%d more", len(ss)-max))
			break
		}
		parts = append(parts, s.Value)
	}
	return strings.Join(parts, ", ")
}

// roleCond is what a statement's conditions say about principal:roles.
type roleCond struct {
	// values are the role names (or StringLike patterns) one of which the
	// subject must hold; nil when no condition tests principal:roles.
	values []string
	like   bool
	// others counts the conditions that test something else (or test
	// principal:roles in a way that is not "holds one of").
	others int
}

// rolesOf reads a statement's conditions.
func rolesOf(st *policy.Statement) roleCond {
	var rc roleCond
	for _, c := range st.Conditions {
		if !strings.EqualFold(c.Key.Value, "principal:roles") || c.Op.IfExists || c.Op.Set == policy.ForAllValues ||
			rc.values != nil {
			rc.others++
			continue
		}
		switch c.Op.Base {
		case policy.OpStringEquals:
		case policy.OpStringLike:
			rc.like = true
		default:
			rc.others++
			continue
		}
		rc.values = make([]string, 0, len(c.Values))
		for _, v := range c.Values {
			rc.values = append(rc.values, v.Value)
		}
	}
	return rc
}

// names reports whether the condition's values name role.
func (rc roleCond) names(role string) bool {
	for _, v := range rc.values {
		if v == role || (rc.like && globMatch(varsAsStar(v), role)) {
			return true
		}
	}
	return false
}

// everyoneOf returns the dynamic role ($everyone, else $authenticated)
// that the condition names, or "".
func (rc roleCond) everyoneOf() string {
	for _, r := range []string{RoleEveryone, RoleAuthenticated} {
		if rc.names(r) {
			return r
		}
	}
	return ""
}

// allowFor is an Allow statement given to roles.
type allowFor struct {
	at    stmtAt
	roles []string
	// by are the objects attaching the Allow's policy.
	by []string
}

// denyAll is a Deny that applies to everyone (or every signed-in
// principal).
type denyAll struct {
	at       stmtAt
	everyone string
	by       []string
}

// findTraps finds every LoopBack trap in s, in a deterministic order.
func findTraps(s state) []*trap {
	// Who attaches each identity policy.
	attachedBy := map[string][]string{}
	rolesOfPolicy := map[string][]string{}
	for _, k := range []string{KindRole, KindUser, KindGroup, KindApp} {
		s.each(k, func(o Object) {
			for _, p := range policiesOf(o) {
				attachedBy[p] = append(attachedBy[p], ref(k, o.ObjectID()))
				if k == KindRole {
					rolesOfPolicy[p] = append(rolesOfPolicy[p], o.ObjectID())
				}
			}
		})
	}
	var denies []denyAll
	var allows []allowFor
	var local []*trap // pairs within one document
	s.each(KindPolicy, func(o Object) {
		p := o.(*Policy)
		if p.doc == nil {
			return
		}
		var everyoneRoles []string // the dynamic roles attaching p
		for _, r := range rolesOfPolicy[p.ID] {
			if r == RoleEveryone || r == RoleAuthenticated {
				everyoneRoles = append(everyoneRoles, r)
			}
		}
		var docDenies, docAllows []int
		conds := make([]roleCond, len(p.doc.Statements))
		for i, st := range p.doc.Statements {
			if st == nil {
				continue
			}
			at := stmtAt{kind: KindPolicy, id: p.ID, st: st}
			rc := rolesOf(st)
			conds[i] = rc
			switch st.Effect {
			case policy.Deny:
				if rc.others > 0 {
					continue // a conditional Deny may well be meant
				}
				e := rc.everyoneOf()
				if e != "" {
					docDenies = append(docDenies, i)
				}
				if rc.values == nil && len(everyoneRoles) > 0 {
					e = everyoneRoles[0]
				}
				if e != "" && len(everyoneRoles) > 0 {
					denies = append(denies, denyAll{at: at, everyone: e, by: attachedBy[p.ID]})
				}
			case policy.Allow:
				var roles []string
				if rc.values != nil {
					if !rc.like {
						roles = rc.values
						docAllows = append(docAllows, i)
					}
				} else {
					roles = rolesOfPolicy[p.ID]
				}
				if len(roles) > 0 && len(attachedBy[p.ID]) > 0 {
					allows = append(allows, allowFor{at: at, roles: roles, by: attachedBy[p.ID]})
				}
			}
		}
		for _, di := range docDenies {
			for _, ai := range docAllows {
				d := stmtAt{kind: KindPolicy, id: p.ID, st: p.doc.Statements[di]}
				a := stmtAt{kind: KindPolicy, id: p.ID, st: p.doc.Statements[ai]}
				if t := pair(denyAll{at: d, everyone: conds[di].everyoneOf(), by: attachedBy[p.ID]},
					allowFor{at: a, roles: conds[ai].values, by: attachedBy[p.ID]}); t != nil {
					local = append(local, t)
				}
			}
		}
	})
	s.each(KindResourcePolicy, func(o Object) {
		p := o.(*ResourcePolicy)
		if p.doc == nil {
			return
		}
		for _, st := range p.doc.Statements {
			if st == nil || st.NotPrincipal != nil || st.Principal == nil {
				continue
			}
			at := stmtAt{kind: KindResourcePolicy, id: p.ID, st: st, scope: p.Resource}
			rc := rolesOf(st)
			switch st.Effect {
			case policy.Deny:
				if rc.others > 0 {
					continue
				}
				e := principalEveryone(st.Principal)
				if rc.values != nil {
					e = rc.everyoneOf()
				}
				if e != "" {
					denies = append(denies, denyAll{at: at, everyone: e})
				}
			case policy.Allow:
				if roles := principalRoles(st.Principal); len(roles) > 0 {
					allows = append(allows, allowFor{at: at, roles: roles})
				}
			}
		}
	})
	var out []*trap
	seen := map[[2]string]bool{}
	add := func(t *trap) {
		key := [2]string{fmt.Sprint(t.deny.kind, t.deny.id, t.deny.st.Index), fmt.Sprint(t.allow.kind, t.allow.id, t.allow.st.Index)}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, t)
	}
	for _, d := range denies {
		for _, a := range allows {
			if t := pair(d, a); t != nil {
				add(t)
			}
		}
	}
	for _, t := range local {
		add(t)
	}
	return out
}

// pair returns the trap made by d and a, or nil when a's roles are all
// dynamic ones d does not trap, or the two cannot meet.
func pair(d denyAll, a allowFor) *trap {
	var roles []string
	for _, r := range a.roles {
		switch {
		case r == RoleEveryone, r == d.everyone:
		case d.everyone == RoleAuthenticated && r == RoleUnauthenticated:
		default:
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 || !meet(d.at, a.at) {
		return nil
	}
	refs := []string{d.at.ref(), a.at.ref()}
	refs = append(refs, d.by...)
	refs = append(refs, a.by...)
	slices.Sort(refs)
	refs = slices.Compact(refs)
	roles = slices.Clone(roles)
	slices.Sort(roles)
	return &trap{deny: d.at, allow: a.at, everyone: d.everyone, roles: slices.Compact(roles), refs: refs}
}

// meet reports whether two statements can apply to one request: their
// actions and resources overlap (NotAction and NotResource are assumed to).
func meet(d, a stmtAt) bool {
	if d.st.NotAction == nil && a.st.NotAction == nil && !anyMeet(d.st.Action, a.st.Action, true) {
		return false
	}
	if d.scope != "" && a.scope != "" && !globsMeet(d.scope, a.scope, false) {
		return false
	}
	dr, ar := resourcesOf(d), resourcesOf(a)
	if dr == nil || ar == nil {
		return true
	}
	return anyMeet(dr, ar, false)
}

// resourcesOf returns the patterns a statement's resource must match, or
// nil for NotResource (assumed to overlap).
func resourcesOf(s stmtAt) []policy.Str {
	switch {
	case s.st.NotResource != nil:
		return nil
	case s.st.Resource != nil:
		return s.st.Resource
	case s.scope != "":
		return []policy.Str{{Value: s.scope}}
	}
	return []policy.Str{{Value: "*"}}
}

func anyMeet(as, bs []policy.Str, fold bool) bool {
	for _, a := range as {
		for _, b := range bs {
			if globsMeet(a.Value, b.Value, fold) {
				return true
			}
		}
	}
	return false
}

// principalEveryone returns $everyone when a Principal element names every
// principal ("*", {"AWS": "*"}, a Role or User entry "*", or the Role
// $everyone), $authenticated when it names that role, else "".
func principalEveryone(p *policy.Principal) string {
	if p.Any {
		return RoleEveryone
	}
	auth := false
	for _, e := range p.Entries {
		for _, id := range e.IDs {
			switch {
			case id.Value == "*" && !strings.EqualFold(e.Type.Value, "group"):
				return RoleEveryone
			case strings.EqualFold(e.Type.Value, "role") && id.Value == RoleEveryone:
				return RoleEveryone
			case strings.EqualFold(e.Type.Value, "role") && id.Value == RoleAuthenticated:
				auth = true
			}
		}
	}
	if auth {
		return RoleAuthenticated
	}
	return ""
}

// principalRoles returns the roles a Principal element's Role entries name
// exactly.
func principalRoles(p *policy.Principal) []string {
	var out []string
	for _, e := range p.Entries {
		if !strings.EqualFold(e.Type.Value, "role") {
			continue
		}
		for _, id := range e.IDs {
			if !strings.ContainsAny(id.Value, "*?") {
				out = append(out, id.Value)
			}
		}
	}
	return out
}

// policiesOf returns the identity policies an object attaches.
func policiesOf(o Object) []string {
	switch o := o.(type) {
	case *Role:
		return o.Policies
	case *User:
		return o.Policies
	case *Group:
		return o.Policies
	case *App:
		return o.Policies
	}
	return nil
}

// trapWarnings renders traps, at most maxTraps, keeping those for which
// keep is true (all when keep is nil).
func trapWarnings(traps []*trap, keep func(*trap) bool) []Warning {
	var out []Warning
	n := 0
	for _, t := range traps {
		if keep != nil && !keep(t) {
			continue
		}
		if n++; n <= maxTraps {
			out = append(out, t.warning())
		}
	}
	if n > maxTraps {
		out = append(out, Warning{Code: CodeDenyOverridesRole,
			Message: fmt.Sprintf("%d more Denies for every principal override an Allow for a role (not listed)", n-maxTraps)})
	}
	return out
}
