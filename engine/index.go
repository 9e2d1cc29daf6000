package engine

import (
	"sort"
	"strings"
)

// set is the compiled statements of one policy kind (or those attached to
// one role, user, group or app), indexed for lookup by action:
//
//   - exact holds the statements that name the action exactly (key: the
//     action lower-cased, as actions match case-insensitively);
//   - service those with a wildcard pattern under a literal service prefix
//     ("s3:Get*"; key: the service lower-cased);
//   - other the rest (NotAction, "*", "s3*:Get").
//
// Each bucket keeps Deny and Allow statements apart, each narrowed by the
// literal prefix of their resource patterns, so a decision looks a set up
// once and then checks the (usually few) Denys and stops at the first
// matching Allow.
type set struct {
	exact   map[string]*bucket
	service map[string]*bucket
	other   *bucket
	// n is the number of statements in the set; a set with n == 0 is
	// absent (which matters for boundaries and sessions: they limit only
	// when present).
	n int
}

// bucket is the statements found under one action key.
type bucket struct {
	deny, allow resourceIndex
}

// resourceIndex finds the statements whose Resource may match a name: those
// whose pattern's literal prefix is a prefix of the name, and those that
// cannot be narrowed (NotResource, absent Resource, a leading wildcard or
// variable).
type resourceIndex struct {
	always   []*stmt
	byPrefix map[string][]*stmt
	// lens are the distinct prefix lengths in byPrefix, ascending.
	lens []int
}

// hit is one bucket of one set that a request's action selects.
type hit struct {
	b    *bucket
	kind uint8 // setIdentity, setResource, setBoundary or setSession
	// exact is set when the bucket was found by the exact action, whose
	// statements then need no second action match.
	exact bool
}

// lookup appends the buckets of st that q's action selects.
func (st *set) lookup(q *query, kind uint8, out []hit) []hit {
	if st.n == 0 {
		return out
	}
	if st.exact != nil {
		if b := q.lookup(st.exact, true); b != nil {
			out = append(out, hit{b: b, kind: kind, exact: true})
		}
	}
	if st.service != nil {
		if b := q.lookup(st.service, false); b != nil {
			out = append(out, hit{b: b, kind: kind})
		}
	}
	if st.other != nil {
		out = append(out, hit{b: st.other, kind: kind})
	}
	return out
}

// first returns the first statement of ri that matches q; with needDirect,
// only a statement whose Principal names the principal directly counts.
// actionKnown says the statements were found by their exact action.
func (ri *resourceIndex) first(q *query, needDirect, actionKnown bool) *stmt {
	for _, s := range ri.always {
		if s.matchesFrom(q.r, needDirect, actionKnown) {
			return s
		}
	}
	name := q.r.Resource.Name
	for _, l := range ri.lens {
		if l > len(name) {
			break
		}
		for _, s := range ri.byPrefix[name[:l]] {
			if s.matchesFrom(q.r, needDirect, actionKnown) {
				return s
			}
		}
	}
	return nil
}

// setBuilder collects one set's statements before indexing.
type setBuilder struct {
	exact   map[string]*bucketBuilder
	service map[string]*bucketBuilder
	other   *bucketBuilder
	n       int
}

type bucketBuilder struct {
	deny, allow resourceBuilder
}

type resourceBuilder struct {
	always   []*stmt
	byPrefix map[string][]*stmt
}

func (b *setBuilder) add(s *stmt) {
	b.n++
	if s.notAction {
		b.otherBucket().add(s)
		return
	}
	// A statement naming several actions under one key is added to that
	// bucket once.
	var seen []*bucketBuilder
	for _, a := range s.actions {
		var bb *bucketBuilder
		switch {
		case a.exact:
			bb = keyed(&b.exact, strings.ToLower(a.lit))
		default:
			prefix := a.literalPrefix()
			if svc, _, ok := strings.Cut(prefix, ":"); ok && svc != "" {
				bb = keyed(&b.service, strings.ToLower(svc))
			} else {
				bb = b.otherBucket()
			}
		}
		if !containsPtr(seen, bb) {
			seen = append(seen, bb)
			bb.add(s)
		}
	}
}

func (b *setBuilder) otherBucket() *bucketBuilder {
	if b.other == nil {
		b.other = &bucketBuilder{}
	}
	return b.other
}

func keyed(m *map[string]*bucketBuilder, k string) *bucketBuilder {
	if *m == nil {
		*m = map[string]*bucketBuilder{}
	}
	bb := (*m)[k]
	if bb == nil {
		bb = &bucketBuilder{}
		(*m)[k] = bb
	}
	return bb
}

func containsPtr(list []*bucketBuilder, p *bucketBuilder) bool {
	for _, x := range list {
		if x == p {
			return true
		}
	}
	return false
}

func (bb *bucketBuilder) add(s *stmt) {
	if s.deny {
		bb.deny.add(s)
	} else {
		bb.allow.add(s)
	}
}

func (rb *resourceBuilder) add(s *stmt) {
	if s.notResource || s.anyResource {
		rb.always = append(rb.always, s)
		return
	}
	var seen []string
	for _, r := range s.resources {
		prefix := r.literalPrefix()
		if prefix == "" {
			rb.always = append(rb.always, s)
			return
		}
		if containsString(seen, prefix) {
			continue
		}
		seen = append(seen, prefix)
		if rb.byPrefix == nil {
			rb.byPrefix = map[string][]*stmt{}
		}
		rb.byPrefix[prefix] = append(rb.byPrefix[prefix], s)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (b *setBuilder) build() set {
	st := set{n: b.n}
	if b.exact != nil {
		st.exact = make(map[string]*bucket, len(b.exact))
		for k, bb := range b.exact {
			st.exact[k] = bb.build()
		}
	}
	if b.service != nil {
		st.service = make(map[string]*bucket, len(b.service))
		for k, bb := range b.service {
			st.service[k] = bb.build()
		}
	}
	if b.other != nil {
		st.other = b.other.build()
	}
	return st
}

func (bb *bucketBuilder) build() *bucket {
	return &bucket{deny: bb.deny.build(), allow: bb.allow.build()}
}

func (rb *resourceBuilder) build() resourceIndex {
	ri := resourceIndex{always: rb.always, byPrefix: rb.byPrefix}
	for p := range rb.byPrefix {
		if !containsInt(ri.lens, len(p)) {
			ri.lens = append(ri.lens, len(p))
		}
	}
	sort.Ints(ri.lens)
	return ri
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}
