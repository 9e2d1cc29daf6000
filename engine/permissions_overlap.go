package engine

import "strings"

// The overlap tests below decide whether two Action (or Resource) elements
// could both match one value, so that Permissions lists only the Deny,
// boundary and session statements that can cut into an Allow. They are
// conservative: when unsure they answer "overlap", so a limit may be
// listed that in fact never meets the Allow, but a limit that does is never
// left out.
//
//   - Two patterns overlap when some string matches both. This is decided
//     exactly for wildcard patterns ("*" any run, "?" one character) by a
//     walk over both patterns at once, case-insensitively for actions.
//   - A policy variable whose value the request supplies (resource:*,
//     request:*, a context key not given) is read as "*"; a variable with a
//     value is its value, literally; a pattern holding a variable with no
//     value matches nothing and is left out.
//   - A NotAction or NotResource element matches what none of its patterns
//     match. An element overlaps it unless each of its patterns is
//     certainly covered by one of the Not patterns: the Not pattern is "*",
//     or the pattern is a plain string the Not pattern matches, or the Not
//     pattern is "text*" and the pattern starts with that text. Two Not
//     elements always overlap unless one holds "*".
//   - The resource pattern a resource policy is attached to (its scope)
//     stands for the Resource of a statement that has none; it is ignored
//     for a statement that has one (it can only narrow it).

// globElem is one element of a flattened pattern: a literal character, a
// "*" or a "?".
type globElem struct {
	kind tokKind // tokLit, tokStar or tokOne
	r    rune
}

// glob is a pattern flattened to characters with its variables resolved.
type glob []globElem

// maxOverlapCells bounds the work of one overlap test (the product of the
// two patterns' lengths). Beyond it the test answers "overlap", which is
// the safe answer; real patterns are far shorter.
const maxOverlapCells = 1 << 22

// isAny reports whether g is a lone "*".
func (g glob) isAny() bool { return len(g) == 1 && g[0].kind == tokStar }

// isPlain reports whether g has no wildcard: it matches one string.
func (g glob) isPlain() bool {
	for _, c := range g {
		if c.kind != tokLit {
			return false
		}
	}
	return true
}

func (g glob) add(kind tokKind, r rune) glob {
	if kind == tokStar && len(g) > 0 && g[len(g)-1].kind == tokStar {
		return g // runs of stars are one star
	}
	return append(g, globElem{kind: kind, r: r})
}

func (g glob) addText(s string) glob {
	for _, r := range s {
		g = append(g, globElem{kind: tokLit, r: r})
	}
	return g
}

// charsMatch reports whether two non-star elements can match the same
// character.
func charsMatch(a, b globElem, fold bool) bool {
	if a.kind == tokOne || b.kind == tokOne {
		return true
	}
	if a.r == b.r {
		return true
	}
	return fold && strings.EqualFold(string(a.r), string(b.r))
}

// globsIntersect reports whether some string matches both a and b.
//
// It walks the states (i, j): a[:i] and b[:j] have matched the same
// prefix of a common string. From a state, a star may end (advance past
// it), a star may take the other pattern's next character, or two
// characters that can be equal advance together. When both patterns are at
// a star, letting one of them end is enough: whatever the first-ending
// star would take, the other can take instead.
func globsIntersect(a, b glob, fold bool) bool {
	n, m := len(a), len(b)
	if (n+1)*(m+1) > maxOverlapCells {
		return true
	}
	cur := make([]bool, m+1)
	next := make([]bool, m+1)
	cur[0] = true
	for i := 0; i <= n; i++ {
		clear(next)
		for j := 0; j <= m; j++ {
			if !cur[j] {
				continue
			}
			if i == n && j == m {
				return true
			}
			aStar := i < n && a[i].kind == tokStar
			bStar := j < m && b[j].kind == tokStar
			if aStar {
				next[j] = true // a's star ends
				if j < m && !bStar {
					cur[j+1] = true // a's star takes b's character
				}
			}
			if bStar {
				cur[j+1] = true // b's star ends
				if i < n && !aStar {
					next[j] = true // b's star takes a's character
				}
			}
			if i < n && j < m && !aStar && !bStar && charsMatch(a[i], b[j], fold) {
				next[j+1] = true
			}
		}
		cur, next = next, cur
	}
	return false
}

// globCovers reports, conservatively, whether every string that matches a
// also matches n (false when unsure).
func globCovers(n, a glob, fold bool) bool {
	if n.isAny() {
		return true
	}
	if a.isPlain() {
		return globsIntersect(n, a, fold)
	}
	// n is "text*": a must start with that text.
	if len(n) == 0 || n[len(n)-1].kind != tokStar || len(a) < len(n)-1 {
		return false
	}
	for i, c := range n[:len(n)-1] {
		if c.kind != tokLit || a[i].kind != tokLit || !charsMatch(c, a[i], fold) {
			return false
		}
	}
	return true
}

// elemGlobs is an Action or Resource element flattened for overlap tests.
type elemGlobs struct {
	// all means the element matches every value (a resource or trust
	// policy statement without Resource).
	all bool
	// not marks NotAction and NotResource.
	not bool
	// globs are the patterns that can match something, open variables
	// read as "*"; firm marks those without open variables, the only ones
	// a Not element can be sure to exclude.
	globs []glob
	firm  []bool
	fold  bool
}

// covered reports whether every string a matches is excluded by the Not
// element x.
func (x *elemGlobs) covers(a glob) bool {
	for i, n := range x.globs {
		if x.firm[i] && globCovers(n, a, x.fold) {
			return true
		}
	}
	return false
}

// excludesAll reports whether the Not element x excludes every value.
func (x *elemGlobs) excludesAll() bool {
	for i, n := range x.globs {
		if x.firm[i] && n.isAny() {
			return true
		}
	}
	return false
}

// overlaps reports whether some value could match both elements.
func (x *elemGlobs) overlaps(y *elemGlobs) bool {
	switch {
	case x.all && y.all:
		return true
	case x.all:
		return y.nonEmpty()
	case y.all:
		return x.nonEmpty()
	case x.not && y.not:
		return !x.excludesAll() && !y.excludesAll()
	case x.not:
		return y.escapes(x)
	case y.not:
		return x.escapes(y)
	}
	for _, a := range x.globs {
		for _, b := range y.globs {
			if globsIntersect(a, b, x.fold || y.fold) {
				return true
			}
		}
	}
	return false
}

// nonEmpty reports whether the element may match something.
func (x *elemGlobs) nonEmpty() bool {
	if x.not {
		return !x.excludesAll()
	}
	return len(x.globs) > 0
}

// escapes reports whether one of x's patterns (x is not a Not element) may
// match a value the Not element not does not exclude.
func (x *elemGlobs) escapes(not *elemGlobs) bool {
	for _, a := range x.globs {
		if !not.covers(a) {
			return true
		}
	}
	return false
}
