package directory

// Pagination limits for List and ListMappings.
const (
	// DefaultListLimit is the page size when the caller gives none.
	DefaultListLimit = 100
	// MaxListLimit is the largest page served.
	MaxListLimit = 1000
)

// Get returns the object of that kind and id.
func (d *Directory) Get(kind, id string) (Entry, bool) {
	return Entry{}, false
}

// List returns one page of the objects of a kind, sorted by id (ids made of
// digits only sort numerically, before the others): at most limit entries
// (DefaultListLimit when limit <= 0, at most MaxListLimit) whose id comes
// after cursor (all when cursor is ""). next is the cursor of the following
// page, "" on the last page.
func (d *Directory) List(kind, cursor string, limit int) (page []Entry, next string) {
	return nil, ""
}

// MappingFilter selects role mappings; an empty field matches any.
type MappingFilter struct {
	PrincipalType PrincipalType
	PrincipalID   string
	Role          string
}

// ListMappings is List for role mappings, with a filter.
func (d *Directory) ListMappings(f MappingFilter, cursor string, limit int) (page []Entry, next string) {
	return nil, ""
}

// Len returns how many objects of a kind the directory holds.
func (d *Directory) Len(kind string) int { return 0 }
