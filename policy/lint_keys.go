package policy

import (
	"strings"
	"unicode"

	"gatehouse.dev/gatehouse/internal/textdist"
)

// This file holds the warnings about condition keys and policy variable
// names: gatehouse's own keys misspelt, stray whitespace, and keys that are
// easily mistaken for others.

// cognitoIdentitySub is the Cognito identity pool's identity id, a key often
// mistaken for the user pool token's "sub" claim.
const cognitoIdentitySub = "cognito-identity.amazonaws.com:sub"

// lintConditionKey warns about a condition's key.
func (v *validator) lintConditionKey(c *Condition, op string) {
	k := c.Key.Value
	at, ptr := c.Key.Pos, condKeyPath(c)
	if fix, bad := keyWhitespace(k); bad {
		v.warn(CodeKeyWhitespace, at, ptr,
			"condition key %s contains whitespace, so it names a different key than %s: remove the whitespace",
			quote(k), quote(fix))
		k = fix
	}
	if fix := suggestKey(k); fix != "" {
		v.warn(CodeMisspeltKey, at, ptr,
			"condition key %s looks misspelt: did you mean %s?", quote(k), quote(fix))
	}
	if strings.EqualFold(k, cognitoIdentitySub) {
		v.warn(CodeConfusableVariable, at, ptr,
			"condition key %s is the Cognito identity pool's identity id (such as \"us-east-1:0a1b…\"), not the \"sub\" claim of a user pool token: to test the token's subject, use \"jwt:sub\"",
			quote(c.Key.Value))
	}
}

// lintVariable warns about one policy variable of element s.
func (v *validator) lintVariable(s Str, elem string, part Part) {
	at, ptr := s.Pos, strPath(s, elem)
	if body := rawVarBody(s.Value, part); body != "" {
		rawKey, _, hasDefault := strings.Cut(body, ",")
		if startsWithSpace(rawKey) || (!hasDefault && endsWithSpace(rawKey)) {
			v.warn(CodeKeyWhitespace, at, ptr,
				"policy variable ${%s} in %s has whitespace around its key: write ${%s}",
				body, elem, strings.TrimSpace(body))
		}
	}
	if fix := suggestKey(part.Text); fix != "" {
		v.warn(CodeMisspeltKey, at, ptr,
			"policy variable ${%s} in %s looks misspelt: did you mean ${%s}?", part.Text, elem, fix)
	}
	if strings.EqualFold(part.Text, cognitoIdentitySub) {
		v.warn(CodeConfusableVariable, at, ptr,
			"${%s} in %s is the Cognito identity pool's identity id (such as \"us-east-1:0a1b…\"), not the \"sub\" claim of a user pool token: for the token's subject, write ${jwt:sub}",
			part.Text, elem)
	}
}

// rawVarBody returns the text between "${" and "}" of the variable part p of
// s, as written (before ParseTemplate trimmed it), or "".
func rawVarBody(s string, p Part) string {
	start := p.Offset + 2
	if p.Offset < 0 || start > len(s) || !strings.HasPrefix(s[p.Offset:], "${") {
		return ""
	}
	end := strings.IndexByte(s[start:], '}')
	if end < 0 {
		return ""
	}
	return s[start : start+end]
}

func startsWithSpace(s string) bool {
	return s != "" && unicode.IsSpace(rune(s[0]))
}

func endsWithSpace(s string) bool {
	return s != "" && unicode.IsSpace(rune(s[len(s)-1]))
}

// keyWhitespace reports whether key k has whitespace that is surely a typo:
// around it, or anywhere before its first "/" (the service prefix and key
// name; after a "/" comes a tag key or path, where spaces are legal, as in
// "aws:ResourceTag/Cost Center"). It returns k without that whitespace.
func keyWhitespace(k string) (string, bool) {
	head, tail, hasTail := strings.Cut(k, "/")
	fixedHead := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, head)
	fixed := fixedHead
	if hasTail {
		fixed += "/" + strings.TrimRightFunc(tail, unicode.IsSpace)
	}
	return fixed, fixed != k
}

// gatehousePrefixes are the key prefixes gatehouse gives meaning to.
var gatehousePrefixes = [...]string{"principal", "resource", "request", "jwt"}

// suggestKey returns the gatehouse key that k most likely misspells, or ""
// when k looks right or is not near any gatehouse key. Keys compare
// case-insensitively. It catches a misspelt prefix ("principle:roles",
// "resources:name"), a wrong separator ("jwt.sub", "JWT_sub",
// "principal.roles") and a near miss of a fixed key name
// ("principal:role", "principal:group", "resource:names").
//
// principal:<attr> and resource:<attr> name arbitrary attributes, so a near
// miss is reported only when it differs from the fixed name by a dropped,
// doubled or swapped letter, not by a different letter ("principal:rules"
// is a fine attribute name).
func suggestKey(k string) string {
	head, rest, hasColon := strings.Cut(k, ":")
	lh := strings.ToLower(head)
	for _, p := range gatehousePrefixes {
		if lh == p {
			if !hasColon {
				return ""
			}
			if fix := suggestField(p, rest); fix != "" {
				return head + ":" + fix
			}
			return ""
		}
	}
	for _, p := range gatehousePrefixes {
		var fixed string
		switch {
		case len(k) > len(p) && strings.EqualFold(k[:len(p)], p) && strings.IndexByte("._/-", k[len(p)]) >= 0 &&
			!(k[len(p)] == '-' && p == "resource"):
			// "jwt.sub", "principal_roles": the separator is ":". (Not
			// "resource-": resource-groups is an AWS service prefix.)
			fixed = p + ":" + k[len(p)+1:]
		case hasColon && rest != "" && prefixNear(lh, p):
			fixed = p + ":" + rest
		default:
			continue
		}
		if fix := suggestKey(fixed); fix != "" {
			fixed = fix
		}
		if p == "request" && !requestKeyKnown(fixed) {
			// request: is not a reserved prefix: only request:time and
			// request:ip mean something to gatehouse.
			return ""
		}
		return fixed
	}
	return ""
}

// prefixNear reports whether h is a misspelling of the gatehouse prefix p.
func prefixNear(h, p string) bool {
	switch p {
	case "principal":
		return textdist.Distance(h, p, 2) <= 2
	case "resource":
		return textdist.Distance(h, p, 1) <= 1
	}
	return nearMiss(h, p)
}

func requestKeyKnown(k string) bool {
	_, rest, _ := strings.Cut(k, ":")
	return strings.EqualFold(rest, "time") || strings.EqualFold(rest, "ip")
}

// suggestField returns the fixed key name that field (after prefix p)
// misspells, or "".
func suggestField(p, field string) string {
	lf := strings.ToLower(field)
	var targets []string
	switch p {
	case "principal":
		if lf == "ids" {
			return "id"
		}
		targets = []string{"roles", "groups", "type"}
	case "resource":
		targets = []string{"name", "type"}
	case "request":
		if lf == "ips" {
			return "ip"
		}
		targets = []string{"time"}
	}
	for _, t := range targets {
		if lf == t {
			return ""
		}
	}
	for _, t := range targets {
		if nearMiss(lf, t) {
			return t
		}
	}
	return ""
}

// nearMiss reports whether a differs from b by one dropped, added or swapped
// (adjacent) letter. b has at least three letters.
func nearMiss(a, b string) bool {
	if a == b || len(b) < 3 {
		return false
	}
	switch len(a) - len(b) {
	case -1:
		a, b = b, a
		fallthrough
	case 1: // a is b with one letter added
		for i := 0; i < len(b); i++ {
			if a[i] != b[i] {
				return a[i+1:] == b[i:]
			}
		}
		return true
	case 0: // one adjacent transposition
		for i := 0; i+1 < len(a); i++ {
			if a[i] != b[i] {
				return a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
			}
		}
	}
	return false
}
