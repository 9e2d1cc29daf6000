package directory

import (
	"fmt"
	"slices"
	"strings"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
	"gatehouse.dev/gatehouse/store"
)

// Directory is one store revision compiled: every object decoded, one
// engine for all the store's policies, and the indexes of role resolution.
// It is immutable and safe for concurrent use; the server builds one per
// revision and swaps it in atomically.
type Directory struct {
	store    string
	revision int64
	eng      *engine.Engine
	warnings []Warning

	// tables holds the objects of each kind.
	tables map[string]*table

	// Role resolution: mappings by principal, the role graph (includes
	// and ROLE mappings), claim rules by claim name.
	userMappings, groupMappings, appMappings map[string][]*RoleMapping
	roleEdges                                map[string][]edge
	claimRules                               map[string][]*ClaimRule
	claimNames                               []string // keys of claimRules, sorted

	// traps are the LoopBack traps of the whole store.
	traps []*trap
	// users and apps are the stored principals, for attributes and
	// groups.
	users map[string]*User
	apps  map[string]*App
	// compiled is what the engine was compiled from; statements counts
	// its statements.
	compiled   []engine.Policy
	statements int
	// skipped are the warnings about policies the engine could not
	// compile.
	skipped []Warning
}

// Entry is one object of a Directory: decoded, and as stored.
type Entry struct {
	Object Object
	// Stored is the object as the store holds it: its body exactly as
	// written, the revision that wrote it and when.
	Stored store.Object
}

// table is one kind's objects.
type table struct {
	ids  []string // sorted by compareIDs
	byID map[string]*Entry
}

func (t *table) get(id string) Object {
	if t == nil {
		return nil
	}
	if e := t.byID[id]; e != nil {
		return e.Object
	}
	return nil
}

// edge is one step of the role graph: holders of from also hold to,
// because from includes to (mapping nil) or by a ROLE mapping.
type edge struct {
	from, to string
	mapping  *RoleMapping
	// proposed marks a ROLE mapping that a refused write would have
	// created: it has no id anyone could look up.
	proposed bool
}

// Build decodes every object of snap and compiles the directory. Objects
// of kinds it does not know (owned by other packages) are ignored. An
// object that does not decode, or a reference to an object that does not
// exist, does not fail the build: it is skipped and recorded in Warnings.
// A nil snap is an empty store.
func Build(snap *store.Snapshot) (*Directory, error) {
	return (*Directory)(nil).Next(snap)
}

// Next is Build reusing the work of d (which may be nil): objects whose
// kind, id and revision are unchanged since d are not decoded again.
func (d *Directory) Next(snap *store.Snapshot) (*Directory, error) {
	if snap == nil {
		snap = &store.Snapshot{}
	}
	n := &Directory{store: snap.Store, revision: snap.Revision, tables: map[string]*table{}}
	reuse := d != nil && d.store == snap.Store
	for i := range snap.Objects {
		so := &snap.Objects[i]
		if _, known := specs[so.Kind]; !known {
			continue
		}
		t := n.tables[so.Kind]
		if t == nil {
			t = &table{byID: map[string]*Entry{}}
			n.tables[so.Kind] = t
		}
		var obj Object
		if reuse {
			if old := d.tables[so.Kind]; old != nil {
				if e := old.byID[so.ID]; e != nil && e.Stored.Revision == so.Revision && len(e.Stored.Body) == len(so.Body) {
					obj = e.Object
				}
			}
		}
		if obj == nil {
			o, _, err := Decode(so.Kind, so.ID, so.Body)
			if err != nil {
				n.warn(CodeSkippedObject, fmt.Sprintf("stored %s %s does not decode and is ignored: %v", kindNoun(so.Kind), quote(so.ID), firstLine(err.Error())),
					ref(so.Kind, so.ID))
				continue
			}
			obj = o
		}
		if _, dup := t.byID[so.ID]; !dup {
			t.ids = append(t.ids, so.ID)
		}
		t.byID[so.ID] = &Entry{Object: obj, Stored: *so}
	}
	for _, t := range n.tables {
		if !slices.IsSortedFunc(t.ids, compareIDs) {
			slices.SortFunc(t.ids, compareIDs)
		}
	}
	n.index()
	var prev *Directory
	if reuse {
		prev = d
	}
	if err := n.compile(prev); err != nil {
		return nil, err
	}
	if prev != nil && n.eng == prev.eng {
		// Same policies, same attachments: same traps.
		n.traps = prev.traps
	} else {
		n.traps = findTraps(n)
	}
	n.warnings = append(n.warnings, trapWarnings(n.traps, nil)...)
	return n, nil
}

// each calls fn for every object of a kind, in id order.
func (d *Directory) each(kind string, fn func(Object)) {
	if d == nil {
		return
	}
	t := d.tables[kind]
	if t == nil {
		return
	}
	for _, id := range t.ids {
		fn(t.byID[id].Object)
	}
}

// object returns the object of a kind and id, or nil.
func (d *Directory) object(kind, id string) Object {
	if d == nil {
		return nil
	}
	return d.tables[kind].get(id)
}

func (d *Directory) warn(code, msg string, refs ...string) {
	slices.Sort(refs)
	d.warnings = append(d.warnings, Warning{Code: code, Message: msg, Refs: refs})
}

// index builds the role-resolution indexes and the reverse references.
func (d *Directory) index() {
	d.userMappings = map[string][]*RoleMapping{}
	d.groupMappings = map[string][]*RoleMapping{}
	d.appMappings = map[string][]*RoleMapping{}
	d.roleEdges = map[string][]edge{}
	d.claimRules = map[string][]*ClaimRule{}
	d.users = map[string]*User{}
	d.apps = map[string]*App{}
	seen := map[RoleMapping]string{}
	d.each(KindRoleMapping, func(o Object) {
		m := o.(*RoleMapping)
		key := RoleMapping{PrincipalType: m.PrincipalType, PrincipalID: m.PrincipalID, Role: m.Role}
		if first, dup := seen[key]; dup {
			d.warn(CodeDuplicateMapping, fmt.Sprintf("role mappings %s and %s both map %s %s to %s: delete one", first, m.ID, m.PrincipalType, m.PrincipalID, m.Role),
				ref(KindRoleMapping, first), ref(KindRoleMapping, m.ID))
		} else {
			seen[key] = m.ID
		}
		switch m.PrincipalType {
		case PrincipalUser:
			d.userMappings[m.PrincipalID] = append(d.userMappings[m.PrincipalID], m)
		case PrincipalGroup:
			d.groupMappings[m.PrincipalID] = append(d.groupMappings[m.PrincipalID], m)
		case PrincipalApp:
			d.appMappings[m.PrincipalID] = append(d.appMappings[m.PrincipalID], m)
		case PrincipalRole:
			d.roleEdges[m.PrincipalID] = append(d.roleEdges[m.PrincipalID], edge{from: m.PrincipalID, to: m.Role, mapping: m})
			d.checkRole(m.PrincipalID, KindRoleMapping, m.ID, true)
		}
		d.checkRole(m.Role, KindRoleMapping, m.ID, false)
	})
	d.each(KindRole, func(o Object) {
		r := o.(*Role)
		for _, inc := range r.Includes {
			d.roleEdges[r.Name] = append(d.roleEdges[r.Name], edge{from: r.Name, to: inc})
			d.checkRole(inc, KindRole, r.Name, false)
		}
	})
	// Includes first, then mappings, each in id order: resolution visits
	// edges in this order.
	for from, es := range d.roleEdges {
		slices.SortStableFunc(es, func(a, b edge) int {
			if (a.mapping == nil) != (b.mapping == nil) {
				if a.mapping == nil {
					return -1
				}
				return 1
			}
			return 0
		})
		d.roleEdges[from] = es
	}
	d.each(KindClaimRule, func(o Object) {
		c := o.(*ClaimRule)
		d.claimRules[c.Claim] = append(d.claimRules[c.Claim], c)
		d.checkRole(c.Role, KindClaimRule, c.ID, false)
	})
	d.claimNames = sortedKeys(d.claimRules)
	d.each(KindUser, func(o Object) {
		u := o.(*User)
		d.users[u.ID] = u
	})
	d.each(KindApp, func(o Object) {
		a := o.(*App)
		d.apps[a.ID] = a
	})
	if cyc := findCycle(d.edgesFrom, sortedKeys(d.roleEdges)); cyc != nil {
		d.warn(CodeRoleCycle, "the stored roles have a cycle, "+cyc.path()+": every role on it is held by the holders of any of them; break it", cyc.refs()...)
	}
}

// checkRole warns when the object kind/id names a role that is not
// stored (a dynamic role as the source of a ROLE mapping need not be).
func (d *Directory) checkRole(role, kind, id string, source bool) {
	if (source && isDynamicRole(role)) || d.object(KindRole, role) != nil {
		return
	}
	by := ref(kind, id)
	d.warn(CodeDanglingReference, fmt.Sprintf("%s names the role %s, which is not stored: it still gives the role, but store the role %s so that writes can check the name",
		describeRef(by), role, role), by)
}

// compile builds the engine from every attached policy, or reuses prev's
// engine when the policies and their attachments are the same (a write of
// a role mapping, a claim rule or a user's attributes changes neither).
func (d *Directory) compile(prev *Directory) error {
	var ps []engine.Policy
	attach := func(kind string, id string, policies []string, how engine.AttachKind) {
		for _, pid := range policies {
			p, _ := d.object(KindPolicy, pid).(*Policy)
			if p == nil {
				d.warn(CodeDanglingReference, fmt.Sprintf("%s %s lists the policy %s, which is not stored: the policy is ignored until it is stored or removed from the list",
					kindNoun(kind), quote(id), quote(pid)), ref(kind, id))
				continue
			}
			ps = append(ps, engine.Policy{Name: pid, Kind: policy.KindIdentity, Doc: p.doc, Attach: engine.Attachment{Kind: how, ID: id}})
		}
	}
	d.each(KindRole, func(o Object) { r := o.(*Role); attach(KindRole, r.Name, r.Policies, engine.AttachRole) })
	d.each(KindUser, func(o Object) { u := o.(*User); attach(KindUser, u.ID, u.Policies, engine.AttachUser) })
	d.each(KindGroup, func(o Object) { g := o.(*Group); attach(KindGroup, g.ID, g.Policies, engine.AttachGroup) })
	d.each(KindApp, func(o Object) { a := o.(*App); attach(KindApp, a.ID, a.Policies, engine.AttachApp) })
	d.each(KindResourcePolicy, func(o Object) {
		p := o.(*ResourcePolicy)
		ps = append(ps, engine.Policy{Name: p.ID, Kind: policy.KindResource, Doc: p.doc, Resource: p.Resource})
	})
	d.each(KindSession, func(o Object) {
		if s := o.(*Session); s.doc != nil {
			ps = append(ps, engine.Policy{Name: "session:" + s.ID, Kind: policy.KindSession, Doc: s.doc,
				Attach: engine.Attachment{Kind: engine.AttachSession, ID: s.ID}})
		}
	})
	d.each(KindBoundary, func(o Object) {
		b := o.(*Boundary)
		how := engine.AttachUser
		if b.PrincipalType == PrincipalApp {
			how = engine.AttachApp
		}
		ps = append(ps, engine.Policy{Name: b.ID, Kind: policy.KindBoundary, Doc: b.doc, Attach: engine.Attachment{Kind: how, ID: b.PrincipalID}})
	})
	d.compiled = ps
	for _, p := range ps {
		d.statements += len(p.Doc.Statements)
	}
	if prev != nil && prev.eng != nil && slices.Equal(prev.compiled, ps) {
		d.eng, d.skipped = prev.eng, prev.skipped
		d.warnings = append(d.warnings, d.skipped...)
		return nil
	}
	eng, err := engine.Compile(ps)
	if err != nil {
		// A document the engine cannot compile got past validation
		// (stored by another version): find it, drop it, warn.
		var ok []engine.Policy
		for _, p := range ps {
			if _, err := engine.Compile([]engine.Policy{p}); err != nil {
				w := Warning{Code: CodeSkippedObject, Message: fmt.Sprintf("policy %s does not compile and is ignored: %v", quote(p.Name), err),
					Refs: []string{ref(kindOfEnginePolicy(p), p.Name)}}
				d.skipped = append(d.skipped, w)
				d.warnings = append(d.warnings, w)
				continue
			}
			ok = append(ok, p)
		}
		if eng, err = engine.Compile(ok); err != nil {
			return fmt.Errorf("directory: compile store %s at revision %d: %w", d.store, d.revision, err)
		}
	}
	d.eng = eng
	return nil
}

func kindOfEnginePolicy(p engine.Policy) string {
	switch p.Kind {
	case policy.KindResource:
		return KindResourcePolicy
	case policy.KindBoundary:
		return KindBoundary
	}
	return KindPolicy
}

// describeRef renders "role_mapping/7" as "role mapping 7".
func describeRef(r string) string {
	kind, id, _ := strings.Cut(r, "/")
	return kindNoun(kind) + " " + id
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// Store returns the id of the store the directory was built from.
func (d *Directory) Store() string { return d.store }

// Revision returns the store revision the directory was built from.
func (d *Directory) Revision() int64 { return d.revision }

// Engine returns the compiled engine.
func (d *Directory) Engine() *engine.Engine { return d.eng }

// Warnings returns what the build found wrong without failing (dangling
// references, skipped objects, duplicate mappings) and every LoopBack trap
// in the store.
func (d *Directory) Warnings() []Warning { return d.warnings }

// Stats counts the directory's objects by kind and the statements it
// compiled, for metrics and logs.
type Stats struct {
	Objects    map[string]int
	Statements int
}

// Stats returns the directory's counts.
func (d *Directory) Stats() Stats {
	s := Stats{Objects: map[string]int{}, Statements: d.statements}
	for k, t := range d.tables {
		s.Objects[k] = len(t.ids)
	}
	return s
}

// edgesFrom returns the role graph's edges from a role.
func (d *Directory) edgesFrom(role string) []edge { return d.roleEdges[role] }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
