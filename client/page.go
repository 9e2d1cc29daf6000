package client

import (
	"context"
	"iter"
	"net/url"
	"strconv"
)

// ListOptions selects one page of a list.
type ListOptions struct {
	// Limit is the page size: 1 to 1,000; 0 lets the server choose (100).
	Limit int
	// Cursor is the NextCursor of the previous page; "" for the first.
	Cursor string
}

// query adds the options to q.
func (o ListOptions) query(q url.Values) {
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
}

// Page is one page of a list. Paging is stable under concurrent writes:
// the next page starts after the last item of this one.
type Page[T any] struct {
	Items []T `json:"items"`
	// NextCursor, when not empty, fetches the next page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// ListFunc fetches one page: the shape of every List method once its
// other arguments are bound.
type ListFunc[T any] func(ctx context.Context, opts ListOptions) (*Page[T], error)

// Items iterates over every item of a list, fetching pages of the server's
// default size as it goes. An error ends the iteration, yielded with the
// zero item.
//
//	for u, err := range client.Items(ctx, store.ListUsers) { ... }
func Items[T any](ctx context.Context, list ListFunc[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var opts ListOptions
		for {
			p, err := list(ctx, opts)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range p.Items {
				if !yield(it, nil) {
					return
				}
			}
			if p.NextCursor == "" || p.NextCursor == opts.Cursor {
				return
			}
			opts.Cursor = p.NextCursor
		}
	}
}

// All returns every item of a list, page after page.
//
//	policies, err := client.All(ctx, store.ListPolicies)
func All[T any](ctx context.Context, list ListFunc[T]) ([]T, error) {
	var out []T
	for it, err := range Items(ctx, list) {
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
	return out, nil
}

// listPath returns path with the options (and extra parameters) as its
// query.
func listPath(path string, opts ListOptions, extra url.Values) string {
	q := url.Values{}
	for k, vs := range extra {
		for _, v := range vs {
			if v != "" {
				q.Add(k, v)
			}
		}
	}
	opts.query(q)
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
