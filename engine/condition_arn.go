package engine

import (
	"strings"
	"unicode/utf8"
)

// arnPattern is a compiled ARN operator value.
type arnPattern struct {
	p *pattern
	// split is true when the value's own text has the five colons that
	// separate the six parts; then a variable lies inside one part and its
	// value may not supply one of those colons. When it is false a variable
	// stands for several parts (as in "${aws:SourceArn}") and its value
	// supplies them.
	split bool
}

// litColons counts the colons in p's literal text (not in variable values).
func litColons(p *pattern) int {
	if p.exact {
		return strings.Count(p.lit, ":")
	}
	n := 0
	for i := range p.toks {
		if p.toks[i].kind == tokLit {
			n += strings.Count(p.toks[i].lit, ":")
		}
	}
	return n
}

// match reports whether the request value s matches the ARN pattern under the ARN operators' rule (IAM User Guide, "Amazon Resource Name (ARN)
// condition operators"): the six colon-separated parts
// arn:partition:service:region:account:resource are matched separately,
// case-sensitively, each with * and ? wildcards; the sixth part keeps any
// further colons. So a wildcard never crosses one of the first five colons:
// arn:aws:someservice:*:111122223333:finance/* does not match
// arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/x.
//
// Rather than splitting both sides (which would allocate, and could not
// handle a variable standing for a whole ARN), the match runs over the whole
// string with one restriction: * and ? may not consume any of the request's
// first five colons. Those colons must then be matched by the pattern's own
// literal colons (or a variable's value), which aligns the parts exactly as
// splitting would. A value that is not an ARN (fewer than five colons)
// matches nothing. It does not allocate.
func (a *arnPattern) match(s string, r *Request) bool {
	lim := fifthColon(s)
	if lim < 0 {
		return false
	}
	if a.p.exact {
		return a.p.lit == s
	}
	return matchArnTokens(a.p.toks, s, r, lim, a.split)
}

// fifthColon returns the index of the fifth colon of s, or -1.
func fifthColon(s string) int {
	at := -1
	for n := 0; n < 5; n++ {
		i := strings.IndexByte(s[at+1:], ':')
		if i < 0 {
			return -1
		}
		at += 1 + i
	}
	return at
}

// matchArnTokens is matchTokens where a wildcard may not consume a colon at
// or before lim, nor (when split) may a variable's value. The single-backtrack glob algorithm stays exact under this
// restriction because the set of characters a wildcard may consume depends
// only on the position, and every colon after an unrestricted one is
// unrestricted too (see TestArnMatchAgreesWithSplitting).
func matchArnTokens(toks []token, s string, r *Request, lim int, split bool) bool {
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti == len(toks) && si == len(s) {
			return true
		}
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				starTi, starSi = ti, si
				ti++
				continue
			case tokOne:
				if si < len(s) && arnFree(s, si, lim) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			case tokLit:
				if strings.HasPrefix(s[si:], t.lit) {
					si += len(t.lit)
					ti++
					continue
				}
			case tokVar:
				v, ok := t.varValue(r)
				if !ok {
					return false
				}
				if strings.HasPrefix(s[si:], v) && !(split && coversColon(s, si, si+len(v), lim)) {
					si += len(v)
					ti++
					continue
				}
			}
		}
		if starTi < 0 || starSi >= len(s) || !arnFree(s, starSi, lim) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		ti, si = starTi+1, starSi
	}
}

// arnFree reports whether a wildcard may consume s[i]: anything but one of
// the first five colons (at or before lim).
func arnFree(s string, i, lim int) bool { return s[i] != ':' || i > lim }

// coversColon reports whether s[from:to] holds one of the first five colons.
func coversColon(s string, from, to, lim int) bool {
	for i := from; i < to && i <= lim; i++ {
		if s[i] == ':' {
			return true
		}
	}
	return false
}
