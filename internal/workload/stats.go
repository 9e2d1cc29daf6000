package workload

import "strings"

// Stats describes a workload for docs/benchmarks.md: what its statements
// look like and how many of them a request can match.
type Stats struct {
	Statements int
	Deny       int // statements with Effect Deny
	// WildAction and WildResource count statements whose action or resource
	// holds a wildcard other than one trailing "*"; TrailingResource those
	// whose resource is a literal prefix followed by one "*" (including "*").
	WildAction       int
	WildResource     int
	TrailingResource int
	// Conditional counts statements with at least one condition.
	Conditional int

	Requests int
	Allowed  int // requests whose expected decision is allow
	// Per request, the mean and maximum number of statements whose action
	// matches (ActionMatch), whose action and resource match
	// (ResourceMatch), and that match entirely, conditions included
	// (FullMatch).
	MeanActionMatch, MeanResourceMatch, MeanFullMatch float64
	MaxActionMatch, MaxResourceMatch, MaxFullMatch    int
}

// Stats computes w's statistics with a full scan per request (slow at
// 100,000 statements: a few seconds).
func (w *Workload) Stats() Stats {
	st := Stats{Statements: len(w.Statements), Requests: len(w.Requests)}
	for i := range w.Statements {
		s := &w.Statements[i]
		if s.Effect == Deny {
			st.Deny++
		}
		if trailingOnly(s.Action) != 2 {
			st.WildAction++
		}
		switch trailingOnly(s.Resource) {
		case 0:
			st.WildResource++
		case 1:
			st.TrailingResource++
		}
		if s.Role != "" || s.Tenant != TenantNone || s.Status != "" {
			st.Conditional++
		}
	}
	var sa, sr, sf int
	for i := range w.Requests {
		r := &w.Requests[i]
		if r.Allow {
			st.Allowed++
		}
		var a, rs, f int
		for j := range w.Statements {
			s := &w.Statements[j]
			if !s.matchAction(r) {
				continue
			}
			a++
			if !s.matchResource(r) {
				continue
			}
			rs++
			if s.matchConditions(r) {
				f++
			}
		}
		sa, sr, sf = sa+a, sr+rs, sf+f
		st.MaxActionMatch = max(st.MaxActionMatch, a)
		st.MaxResourceMatch = max(st.MaxResourceMatch, rs)
		st.MaxFullMatch = max(st.MaxFullMatch, f)
	}
	if n := float64(len(w.Requests)); n > 0 {
		st.MeanActionMatch, st.MeanResourceMatch, st.MeanFullMatch = float64(sa)/n, float64(sr)/n, float64(sf)/n
	}
	return st
}

// trailingOnly classifies a pattern: 2 when it has no wildcard, 1 when its
// only wildcard is one trailing "*", 0 otherwise.
func trailingOnly(p string) int {
	i := strings.IndexAny(p, "*?")
	switch {
	case i < 0:
		return 2
	case i == len(p)-1 && p[i] == '*':
		return 1
	}
	return 0
}
