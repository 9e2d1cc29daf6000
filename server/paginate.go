package server

import (
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"
)

// Pagination limits (docs/api.md).
const (
	defaultPageLimit = 100
	maxPageLimit     = 1000
)

// page is one page of a list: the items and, when more follow, the cursor
// to pass as ?cursor= for the next page.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// paginate returns the page of items (sorted by key, ascending) that
// ?limit= and ?cursor= select. A cursor is the unpadded base64url of the
// last key of the previous page, so paging is stable under inserts and
// deletes: the next page starts after that key whatever changed.
func paginate[T any](r *http.Request, items []T, key func(T) string) (page[T], error) {
	q := r.URL.Query()
	limit := defaultPageLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageLimit {
			return page[T]{}, badRequest("limit must be a whole number from 1 to %d, not %q", maxPageLimit, v)
		}
		limit = n
	}
	start := 0
	if v := q.Get("cursor"); v != "" {
		after, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(after) == 0 {
			return page[T]{}, badRequest("cursor %q is not one this server gave out; pass next_cursor from the previous page", v)
		}
		a := string(after)
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > a })
	}
	end := min(start+limit, len(items))
	p := page[T]{Items: items[start:end]}
	if p.Items == nil {
		p.Items = []T{}
	}
	if end < len(items) {
		p.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1])))
	}
	return p, nil
}
