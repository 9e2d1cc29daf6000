package engine

import (
	"strings"
	"unicode/utf8"

	"gatehouse.dev/gatehouse/policy"
)

type tokKind uint8

const (
	tokLit  tokKind = iota // literal text
	tokStar                // * : any run of characters, including none
	tokOne                 // ? : exactly one character
	tokVar                 // ${key} or ${key, 'default'}: its value, literally
)

type token struct {
	kind   tokKind
	lit    string // tokLit: the text
	key    keyRef // tokVar
	def    string // tokVar: default value
	hasDef bool
}

// pattern is a compiled string element: literal text, wildcards (when the
// element supports them) and policy variables. A variable's value is always
// matched literally: a "*" in a user name never becomes a wildcard.
type pattern struct {
	src  string
	toks []token
	// exact is true when the pattern has no wildcard and no variable; then
	// lit holds the whole text. prefix is true for the common "text*"
	// (lit holds the text).
	exact, prefix bool
	lit           string
	// fold makes literal comparison case-insensitive (actions).
	fold bool
}

// compilePattern compiles s. wild says whether * and ? are wildcards; vars
// whether ${...} is substituted (Version 2012-10-17). The template must have
// been validated; a malformed variable makes the whole string literal.
func compilePattern(s string, wild, vars, fold bool) *pattern {
	p := &pattern{src: s, fold: fold}
	tmpl, err := policy.ParseTemplate(s, vars)
	if err != nil {
		tmpl = policy.Template{{Kind: policy.PartText, Text: s}}
	}
	for _, part := range tmpl {
		switch part.Kind {
		case policy.PartText:
			if !wild {
				p.addLit(part.Text)
				continue
			}
			text := part.Text
			for text != "" {
				i := strings.IndexAny(text, "*?")
				if i < 0 {
					p.addLit(text)
					break
				}
				p.addLit(text[:i])
				if text[i] == '*' {
					// Collapse runs of stars.
					if n := len(p.toks); n == 0 || p.toks[n-1].kind != tokStar {
						p.toks = append(p.toks, token{kind: tokStar})
					}
				} else {
					p.toks = append(p.toks, token{kind: tokOne})
				}
				text = text[i+1:]
			}
		case policy.PartEscape:
			p.addLit(part.Text)
		case policy.PartVar:
			p.toks = append(p.toks, token{kind: tokVar, key: compileKey(part.Text), def: part.Default, hasDef: part.HasDefault})
		}
	}
	switch {
	case len(p.toks) == 0:
		p.exact = true
	case len(p.toks) == 1 && p.toks[0].kind == tokLit:
		p.exact, p.lit = true, p.toks[0].lit
	case len(p.toks) == 2 && p.toks[0].kind == tokLit && p.toks[1].kind == tokStar:
		p.prefix, p.lit = true, p.toks[0].lit
	}
	return p
}

func (p *pattern) addLit(s string) {
	if s == "" {
		return
	}
	if n := len(p.toks); n > 0 && p.toks[n-1].kind == tokLit {
		p.toks[n-1].lit += s
		return
	}
	p.toks = append(p.toks, token{kind: tokLit, lit: s})
}

// hasVars reports whether the pattern contains a policy variable.
func (p *pattern) hasVars() bool {
	for i := range p.toks {
		if p.toks[i].kind == tokVar {
			return true
		}
	}
	return false
}

// isAny reports whether the pattern is a lone "*".
func (p *pattern) isAny() bool { return len(p.toks) == 1 && p.toks[0].kind == tokStar }

// literalPrefix returns the literal text before the first wildcard or
// variable, for indexing.
func (p *pattern) literalPrefix() string {
	if p.exact {
		return p.lit
	}
	if len(p.toks) > 0 && p.toks[0].kind == tokLit {
		return p.toks[0].lit
	}
	return ""
}

// varValue resolves a variable token. ok is false when the key is absent (or
// multi-valued) and there is no default: then the element cannot match.
func (t *token) varValue(r *Request) (string, bool) {
	if v, ok := r.lookupSingle(&t.key); ok {
		return v, true
	}
	if t.hasDef {
		return t.def, true
	}
	return "", false
}

// match reports whether s matches the pattern for request r (which supplies
// variable values; it may be nil when the pattern has none). It does not
// allocate.
func (p *pattern) match(s string, r *Request) bool {
	if p.exact {
		if p.fold {
			return strings.EqualFold(p.lit, s)
		}
		return p.lit == s
	}
	if p.prefix {
		return hasPrefix(s, p.lit, p.fold)
	}
	return matchTokens(p.toks, s, r, p.fold)
}

// matchTokens is the classic linear glob match with backtracking to the
// last star, over tokens whose literals may be many bytes long.
func matchTokens(toks []token, s string, r *Request, fold bool) bool {
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
				if ti == len(toks)-1 {
					// A trailing star takes whatever is left.
					return true
				}
				starTi, starSi = ti, si
				ti++
				continue
			case tokOne:
				if si < len(s) {
					si += runeLen(s, si)
					ti++
					continue
				}
			case tokLit:
				if hasPrefix(s[si:], t.lit, fold) {
					si += len(t.lit)
					ti++
					continue
				}
			case tokVar:
				v, ok := t.varValue(r)
				if !ok {
					return false
				}
				if hasPrefix(s[si:], v, fold) {
					si += len(v)
					ti++
					continue
				}
			}
		}
		// Mismatch: let the last star swallow one more character.
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		starSi += runeLen(s, starSi)
		ti, si = starTi+1, starSi
	}
}

// runeLen returns the length in bytes of the character at s[i].
func runeLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

func hasPrefix(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if fold {
		return strings.EqualFold(s[:len(prefix)], prefix)
	}
	return s[:len(prefix)] == prefix
}

// expand returns the pattern's text with variables substituted (for explain
// and for String operators that compare exactly). ok is false when a
// variable has no value and no default.
func (p *pattern) expand(r *Request) (string, bool) {
	if p.exact {
		return p.lit, true
	}
	var b strings.Builder
	for i := range p.toks {
		t := &p.toks[i]
		switch t.kind {
		case tokLit:
			b.WriteString(t.lit)
		case tokStar:
			b.WriteByte('*')
		case tokOne:
			b.WriteByte('?')
		case tokVar:
			v, ok := t.varValue(r)
			if !ok {
				return "", false
			}
			b.WriteString(v)
		}
	}
	return b.String(), true
}
