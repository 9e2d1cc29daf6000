package directory

import (
	"fmt"
	"slices"
	"strings"

	"gatehouse.dev/gatehouse/internal/textdist"
	"gatehouse.dev/gatehouse/policy"
	"gatehouse.dev/gatehouse/store"
)

// maxListedRefs is how many referrers or missing references an error
// message names; Error.Refs has them all.
const maxListedRefs = 10

// Validation is what a set of writes would do, when it is acceptable.
type Validation struct {
	// Objects are the decoded objects of the puts, in the order of the
	// changes (nil for a delete).
	Objects []Object
	// Findings are the warnings found in the written bodies; with several
	// changes, File is "<kind>/<id>".
	Findings policy.Findings
	// Warnings are the directory warnings the writes cause, such as the
	// LoopBack trap (CodeDenyOverridesRole) or a duplicate role mapping.
	Warnings []Warning
}

// Validate checks a set of writes (puts when Body is non-nil, deletes
// otherwise) against d before the server commits them. d may be nil (an
// empty store). It decodes every put (as Decode) and refuses, with an
// *Error: an object that does not decode; a role cycle through includes or
// ROLE mappings (CodeRoleCycle, naming the cycle "editor → staff →
// editor"); a reference to a policy or role that would not exist
// (CodeMissingReference); a delete of an object still referenced
// (CodeInUse, listing the referrers) or absent (CodeNotFound). On success
// it returns the decoded objects and the warnings.
func (d *Directory) Validate(changes ...store.Change) (*Validation, error) {
	v := newView(d)
	val := &Validation{Objects: make([]Object, len(changes))}
	changed := map[string]bool{}
	for i, c := range changes {
		if _, ok := specs[c.Kind]; !ok {
			return nil, &Error{Code: CodeUnknownKind, Kind: c.Kind, ID: c.ID, class: ErrInvalid,
				Message: fmt.Sprintf("unknown object kind %s: use one of %s", quote(c.Kind), strings.Join(Kinds(), ", "))}
		}
		r := ref(c.Kind, c.ID)
		if c.Body == nil {
			if v.object(c.Kind, c.ID) == nil {
				return nil, &Error{Code: CodeNotFound, Kind: c.Kind, ID: c.ID, class: ErrNotFound,
					Message: fmt.Sprintf("there is no %s %s to delete", kindNoun(c.Kind), quote(c.ID))}
			}
			v.del(c.Kind, c.ID)
			changed[r] = true
			continue
		}
		obj, fs, err := Decode(c.Kind, c.ID, c.Body)
		if err != nil {
			if e, ok := err.(*Error); ok && len(changes) > 1 {
				for j := range e.Findings {
					e.Findings[j].File = r
				}
			}
			return nil, err
		}
		for _, f := range fs {
			if len(changes) > 1 {
				f.File = r
			}
			val.Findings = append(val.Findings, f)
		}
		v.put(obj)
		val.Objects[i] = obj
		changed[r] = true
	}
	if err := v.checkReferences(); err != nil {
		return nil, err
	}
	if err := v.checkInUse(); err != nil {
		return nil, err
	}
	if err := v.checkCycles(); err != nil {
		return nil, err
	}
	val.Warnings = append(val.Warnings, v.duplicateMappings()...)
	if v.touchesPolicies() {
		val.Warnings = append(val.Warnings, trapWarnings(findTraps(v), func(t *trap) bool {
			for _, r := range t.refs {
				if changed[r] {
					return true
				}
			}
			return false
		})...)
	}
	return val, nil
}

// view is a Directory with a set of writes applied, as trap detection and
// the checks read it.
type view struct {
	base *Directory
	// puts and dels hold the writes by kind, then id; a later write of
	// the same object replaces an earlier one.
	puts map[string]map[string]Object
	dels map[string]map[string]bool
	// roleMappingPuts indexes the ROLE mappings put by their source role
	// (built on first use, once every write is applied).
	roleMappingPuts map[string][]*RoleMapping
}

func newView(d *Directory) *view {
	return &view{base: d, puts: map[string]map[string]Object{}, dels: map[string]map[string]bool{}}
}

func (v *view) put(o Object) {
	k := o.Kind()
	if v.puts[k] == nil {
		v.puts[k] = map[string]Object{}
	}
	v.puts[k][o.ObjectID()] = o
	delete(v.dels[k], o.ObjectID())
}

func (v *view) del(kind, id string) {
	if v.dels[kind] == nil {
		v.dels[kind] = map[string]bool{}
	}
	v.dels[kind][id] = true
	delete(v.puts[kind], id)
}

// object returns the object as it would be after the writes.
func (v *view) object(kind, id string) Object {
	if o := v.puts[kind][id]; o != nil {
		return o
	}
	if v.dels[kind][id] {
		return nil
	}
	return v.base.object(kind, id)
}

// each calls fn for every object of a kind after the writes, in id order.
func (v *view) each(kind string, fn func(Object)) {
	puts := v.puts[kind]
	var added []string
	for id := range puts {
		if v.base.object(kind, id) == nil {
			added = append(added, id)
		}
	}
	slices.SortFunc(added, compareIDs)
	var ids []string
	if v.base != nil && v.base.tables[kind] != nil {
		ids = v.base.tables[kind].ids
	}
	i, j := 0, 0
	for i < len(ids) || j < len(added) {
		var id string
		if j == len(added) || (i < len(ids) && compareIDs(ids[i], added[j]) < 0) {
			id = ids[i]
			i++
		} else {
			id = added[j]
			j++
		}
		if o := v.object(kind, id); o != nil {
			fn(o)
		}
	}
}

// putsOf returns the objects put of a kind, in id order.
func (v *view) putsOf(kind string) []Object {
	ids := sortedKeys(v.puts[kind])
	slices.SortFunc(ids, compareIDs)
	out := make([]Object, len(ids))
	for i, id := range ids {
		out[i] = v.puts[kind][id]
	}
	return out
}

// missing is one reference to an object that would not exist.
type missing struct {
	by, what, name string // "role/admin", KindPolicy, "p9"
}

// checkReferences refuses a put that references a policy or role that
// would not exist.
func (v *view) checkReferences() error {
	var miss []missing
	need := func(by, kind, name string) {
		if kind == KindRole && isDynamicRole(name) {
			return
		}
		if v.object(kind, name) == nil {
			miss = append(miss, missing{by: by, what: kind, name: name})
		}
	}
	for _, kind := range Kinds() {
		for _, o := range v.putsOf(kind) {
			by := ref(kind, o.ObjectID())
			for _, p := range policiesOf(o) {
				need(by, KindPolicy, p)
			}
			switch o := o.(type) {
			case *Role:
				for _, inc := range o.Includes {
					need(by, KindRole, inc)
				}
			case *RoleMapping:
				need(by, KindRole, o.Role)
				if o.PrincipalType == PrincipalRole {
					need(by, KindRole, o.PrincipalID)
				}
			case *ClaimRule:
				need(by, KindRole, o.Role)
			}
		}
	}
	if len(miss) == 0 {
		return nil
	}
	var parts, refs []string
	for i, m := range miss {
		refs = append(refs, ref(m.what, m.name))
		if i == maxListedRefs {
			parts = append(parts, fmt.Sprintf("and %d more", len(miss)-maxListedRefs))
			continue
		}
		if i > maxListedRefs {
			continue
		}
		s := fmt.Sprintf("%s names the %s %s, which does not exist", describeRef(m.by), kindNoun(m.what), quote(m.name))
		if m.what == KindRole {
			if near := v.nearestRole(m.name); near != "" {
				s += fmt.Sprintf(" (did you mean %s?)", quote(near))
			}
		}
		parts = append(parts, s)
	}
	first := miss[0]
	kind, id, _ := strings.Cut(first.by, "/")
	return &Error{Code: CodeMissingReference, Kind: kind, ID: id, class: ErrInvalid, Refs: refs,
		Message: strings.Join(parts, "; ") + ": store what is missing first (or in the same write), or remove the reference"}
}

// nearestRole returns a stored role whose name is close to name, or "".
func (v *view) nearestRole(name string) string {
	best, bestDist := "", 3
	v.each(KindRole, func(o Object) {
		r := o.ObjectID()
		if strings.EqualFold(r, name) {
			best, bestDist = r, 0
		}
		if bestDist == 0 {
			return
		}
		if dist := textdist.Distance(r, name, 2); dist <= 2 && dist < bestDist && dist < len(name) {
			best, bestDist = r, dist
		}
	})
	return best
}

// checkInUse refuses deleting a policy or role that something still
// references after the writes. It reads every object that can reference
// one, once, and only when a policy or role is deleted.
func (v *view) checkInUse() error {
	if len(v.dels[KindPolicy]) == 0 && len(v.dels[KindRole]) == 0 {
		return nil
	}
	users := map[string][]string{} // "policy/p" → referrers
	for _, kind := range []string{KindRole, KindRoleMapping, KindUser, KindGroup, KindApp, KindClaimRule} {
		v.each(kind, func(o Object) {
			by := ref(kind, o.ObjectID())
			for _, p := range policiesOf(o) {
				if v.dels[KindPolicy][p] {
					users[ref(KindPolicy, p)] = append(users[ref(KindPolicy, p)], by)
				}
			}
			for _, r := range rolesNamedBy(o) {
				if v.dels[KindRole][r] && !slices.Contains(users[ref(KindRole, r)], by) {
					users[ref(KindRole, r)] = append(users[ref(KindRole, r)], by)
				}
			}
		})
	}
	for _, kind := range []string{KindPolicy, KindRole} {
		for _, id := range sortedKeys(v.dels[kind]) {
			refs := users[ref(kind, id)]
			if len(refs) == 0 {
				continue
			}
			slices.Sort(refs)
			var names []string
			for i, u := range refs {
				if i == maxListedRefs {
					names = append(names, fmt.Sprintf("and %d more", len(refs)-maxListedRefs))
					break
				}
				names = append(names, describeRef(u))
			}
			what := "is still attached to"
			if kind == KindRole {
				what = "is still used by"
			}
			return &Error{Code: CodeInUse, Kind: kind, ID: id, class: ErrInUse, Refs: refs,
				Message: fmt.Sprintf("%s %s %s %s: change or delete them first", kindNoun(kind), quote(id), what, strings.Join(names, ", "))}
		}
	}
	return nil
}

// rolesNamedBy returns the roles o names: a role's includes, both ends of
// a ROLE mapping, the role of a mapping or claim rule.
func rolesNamedBy(o Object) []string {
	switch o := o.(type) {
	case *Role:
		return o.Includes
	case *RoleMapping:
		if o.PrincipalType == PrincipalRole {
			return []string{o.Role, o.PrincipalID}
		}
		return []string{o.Role}
	case *ClaimRule:
		return []string{o.Role}
	}
	return nil
}

// checkCycles refuses writes that close a cycle of roles.
func (v *view) checkCycles() error {
	var starts []string
	for _, o := range v.putsOf(KindRole) {
		starts = append(starts, o.ObjectID())
	}
	for _, o := range v.putsOf(KindRoleMapping) {
		if m := o.(*RoleMapping); m.PrincipalType == PrincipalRole {
			starts = append(starts, m.PrincipalID)
		}
	}
	if len(starts) == 0 {
		return nil
	}
	c := findCycle(v.edgesFrom, starts)
	if c == nil {
		return nil
	}
	return &Error{Code: CodeRoleCycle, Kind: KindRole, ID: c[0].from, class: ErrInvalid, Refs: c.refs(),
		Message: fmt.Sprintf("role cycle: %s (%s). A role cannot hold itself through includes or ROLE mappings: remove one of these", c.path(), c.how())}
}

// edgesFrom returns the role graph's edges from role after the writes:
// its includes, then the ROLE mappings from it in id order.
func (v *view) edgesFrom(role string) []edge {
	var out []edge
	if r, _ := v.object(KindRole, role).(*Role); r != nil {
		for _, inc := range r.Includes {
			out = append(out, edge{from: role, to: inc})
		}
	}
	var ms []*RoleMapping
	if v.base != nil {
		for _, e := range v.base.roleEdges[role] {
			if e.mapping != nil && v.object(KindRoleMapping, e.mapping.ID) == Object(e.mapping) {
				ms = append(ms, e.mapping)
			}
		}
	}
	if v.roleMappingPuts == nil {
		v.roleMappingPuts = map[string][]*RoleMapping{}
		for _, o := range v.puts[KindRoleMapping] {
			if m := o.(*RoleMapping); m.PrincipalType == PrincipalRole {
				v.roleMappingPuts[m.PrincipalID] = append(v.roleMappingPuts[m.PrincipalID], m)
			}
		}
	}
	ms = append(ms, v.roleMappingPuts[role]...)
	slices.SortFunc(ms, func(a, b *RoleMapping) int { return compareIDs(a.ID, b.ID) })
	for _, m := range ms {
		_, isPut := v.puts[KindRoleMapping][m.ID]
		proposed := isPut && v.base.object(KindRoleMapping, m.ID) == nil
		out = append(out, edge{from: role, to: m.Role, mapping: m, proposed: proposed})
	}
	return out
}

// duplicateMappings warns about a mapping put that repeats another.
func (v *view) duplicateMappings() []Warning {
	puts := v.putsOf(KindRoleMapping)
	if len(puts) == 0 {
		return nil
	}
	key := func(m *RoleMapping) RoleMapping {
		return RoleMapping{PrincipalType: m.PrincipalType, PrincipalID: m.PrincipalID, Role: m.Role}
	}
	all := map[RoleMapping][]string{}
	v.each(KindRoleMapping, func(x Object) {
		m := x.(*RoleMapping)
		all[key(m)] = append(all[key(m)], m.ID)
	})
	var out []Warning
	for _, o := range puts {
		m := o.(*RoleMapping)
		for _, id := range all[key(m)] {
			if id != m.ID {
				out = append(out, Warning{Code: CodeDuplicateMapping,
					Message: fmt.Sprintf("role mapping %s repeats role mapping %s (%s %s → %s): one of them is enough", m.ID, id, m.PrincipalType, m.PrincipalID, m.Role),
					Refs:    []string{ref(KindRoleMapping, m.ID), ref(KindRoleMapping, id)}})
				break
			}
		}
	}
	return out
}

// touchesPolicies reports whether the writes can change a LoopBack trap.
func (v *view) touchesPolicies() bool {
	for _, k := range []string{KindPolicy, KindRole, KindUser, KindGroup, KindApp, KindResourcePolicy} {
		if len(v.puts[k]) > 0 || len(v.dels[k]) > 0 {
			return true
		}
	}
	return false
}
