package directory

import "sort"

// Pagination limits for List and ListMappings.
const (
	// DefaultListLimit is the page size when the caller gives none.
	DefaultListLimit = 100
	// MaxListLimit is the largest page served.
	MaxListLimit = 1000
)

// Get returns the object of that kind and id.
func (d *Directory) Get(kind, id string) (Entry, bool) {
	if d == nil {
		return Entry{}, false
	}
	t := d.tables[kind]
	if t == nil {
		return Entry{}, false
	}
	e := t.byID[id]
	if e == nil {
		return Entry{}, false
	}
	return *e, true
}

// List returns one page of the objects of a kind, sorted by id (ids made of
// digits only sort numerically, before the others): at most limit entries
// (DefaultListLimit when limit <= 0, at most MaxListLimit) whose id comes
// after cursor (all when cursor is ""). next is the cursor of the following
// page, "" on the last page.
func (d *Directory) List(kind, cursor string, limit int) (page []Entry, next string) {
	return d.list(kind, cursor, limit, nil)
}

// MappingFilter selects role mappings; an empty field matches any.
type MappingFilter struct {
	PrincipalType PrincipalType
	PrincipalID   string
	Role          string
}

// match reports whether m passes the filter.
func (f MappingFilter) match(m *RoleMapping) bool {
	return (f.PrincipalType == "" || f.PrincipalType == m.PrincipalType) &&
		(f.PrincipalID == "" || f.PrincipalID == m.PrincipalID) &&
		(f.Role == "" || f.Role == m.Role)
}

// ListMappings is List for role mappings, with a filter.
func (d *Directory) ListMappings(f MappingFilter, cursor string, limit int) (page []Entry, next string) {
	return d.list(KindRoleMapping, cursor, limit, func(o Object) bool { return f.match(o.(*RoleMapping)) })
}

func (d *Directory) list(kind, cursor string, limit int, keep func(Object) bool) ([]Entry, string) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	if limit > MaxListLimit {
		limit = MaxListLimit
	}
	if d == nil || d.tables[kind] == nil {
		return []Entry{}, ""
	}
	t := d.tables[kind]
	i := 0
	if cursor != "" {
		i = sort.Search(len(t.ids), func(i int) bool { return compareIDs(t.ids[i], cursor) > 0 })
	}
	page := make([]Entry, 0, min(limit, len(t.ids)-i))
	for ; i < len(t.ids); i++ {
		e := t.byID[t.ids[i]]
		if keep != nil && !keep(e.Object) {
			continue
		}
		if len(page) == limit {
			return page, page[len(page)-1].Object.ObjectID()
		}
		page = append(page, *e)
	}
	return page, ""
}

// Len returns how many objects of a kind the directory holds.
func (d *Directory) Len(kind string) int {
	if d == nil || d.tables[kind] == nil {
		return 0
	}
	return len(d.tables[kind].ids)
}

// Entries returns every object of a kind, in id order.
func (d *Directory) Entries(kind string) []Entry {
	var out []Entry
	if d == nil {
		return out
	}
	if t := d.tables[kind]; t != nil {
		out = make([]Entry, 0, len(t.ids))
		for _, id := range t.ids {
			out = append(out, *t.byID[id])
		}
	}
	return out
}
