package engine

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"gatehouse.dev/gatehouse/internal/textdist"
)

// firstWord is the leading word of a CamelCase name: "Get" of
// "GetObject", the whole of "read".
func firstWord(s string) string {
	for i, r := range s {
		if i > 0 && unicode.IsUpper(r) {
			return s[:i]
		}
	}
	return s
}

// similarActionName reports whether two action names (without the
// service) are close enough to be a slip: at most two edits apart, and
// when they are two apart, they start with the same word (so
// "GetObject"/"PutObject", two different verbs, are not a slip while
// "ListObjects"/"ListObjectsV2" are).
func similarActionName(a, b string) bool {
	d := textdist.Distance(strings.ToLower(a), strings.ToLower(b), 2)
	switch d {
	case 0:
		return false
	case 1:
		return true
	case 2:
		return strings.EqualFold(firstWord(a), firstWord(b))
	}
	return false
}

// lastSegment is the part of a key after its last ':' or '/', lower-cased:
// "sub" of "cognito-identity.amazonaws.com:sub", "dept" of
// "aws:PrincipalTag/dept".
func lastSegment(k string) string {
	if i := strings.LastIndexAny(k, ":/"); i >= 0 {
		k = k[i+1:]
	}
	return strings.ToLower(k)
}

// keyCloseness says how much a carried key looks like a missing one:
// 0 the same but for case, 1 the same last segment ("jwt:sub" for
// "cognito-identity.amazonaws.com:sub"), 2 at most two edits apart, 3 a
// last segment one edit apart; -1 not alike.
func keyCloseness(missing, have string) int {
	if missing == have {
		return -1
	}
	ml, hl := strings.ToLower(missing), strings.ToLower(have)
	if ml == hl {
		return 0
	}
	ms, hs := lastSegment(missing), lastSegment(have)
	if ms != "" && ms == hs {
		return 1
	}
	if textdist.Distance(ml, hl, 2) <= 2 {
		return 2
	}
	if utf8.RuneCountInString(ms) >= 4 && textdist.Distance(ms, hs, 1) <= 1 {
		return 3
	}
	return -1
}

// maxSimilarKeys bounds the look-alike keys a hint lists.
const maxSimilarKeys = 5

// similarKeys returns the variables that look like key, closest first.
func similarKeys(vars []Variable, key string) []Variable {
	type cand struct {
		v     Variable
		score int
	}
	var cs []cand
	for _, v := range vars {
		if s := keyCloseness(key, v.Key); s >= 0 {
			cs = append(cs, cand{v, s})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score < cs[j].score })
	var out []Variable
	for i := 0; i < len(cs) && i < maxSimilarKeys; i++ {
		out = append(out, cs[i].v)
	}
	return out
}

// keyAlias is the gatehouse key that carries what a key from another
// system (usually AWS) means, and why.
type keyAlias struct {
	target string
	why    string
}

// aliases maps lower-cased AWS and identity-provider keys to their
// gatehouse counterparts (DESIGN.md §2).
var aliases = map[string]keyAlias{
	"cognito-identity.amazonaws.com:sub": {"jwt:sub", "in gatehouse a token's subject is jwt:sub (in AWS, cognito-identity.amazonaws.com:sub is the Cognito identity pool's identity id, not the user pool's sub)"},
	"cognito-identity.amazonaws.com:aud": {"jwt:aud", "in gatehouse a token's audience is jwt:aud"},
	"cognito-identity.amazonaws.com:amr": {"jwt:amr", "in gatehouse a token's authentication methods are jwt:amr"},
	"accounts.google.com:sub":            {"jwt:sub", "in gatehouse a token's subject is jwt:sub"},
	"accounts.google.com:aud":            {"jwt:aud", "in gatehouse a token's audience is jwt:aud"},
	"graph.facebook.com:id":              {"jwt:sub", "in gatehouse a token's subject is jwt:sub"},
	"www.amazon.com:user_id":             {"jwt:sub", "in gatehouse a token's subject is jwt:sub"},
	"aws:username":                       {"principal:id", "in gatehouse the principal's id is principal:id"},
	"aws:userid":                         {"principal:id", "in gatehouse the principal's id is principal:id"},
	"aws:principalarn":                   {"principal:id", "in gatehouse the principal's id is principal:id"},
	"aws:principaltype":                  {"principal:type", "in gatehouse the principal's type is principal:type"},
	"aws:sourceip":                       {"request:ip", "in gatehouse the end user's address is request:ip"},
	"aws:currenttime":                    {"request:time", "in gatehouse the time of the request is request:time"},
	"aws:tokenissuetime":                 {"jwt:iat", "in gatehouse a token's issue time is jwt:iat"},
}

// aliasPrefixes map key prefixes the same way ("aws:PrincipalTag/dept" is
// "principal:dept").
var aliasPrefixes = []struct{ from, to, why string }{
	{"aws:principaltag/", "principal:", "in gatehouse the principal's attributes are principal:<name>"},
	{"aws:resourcetag/", "resource:", "in gatehouse the resource's attributes are resource:<name>"},
}

// aliasFor returns the gatehouse counterpart of key, if it has one.
func aliasFor(key string) (keyAlias, bool) {
	if a, ok := aliases[strings.ToLower(key)]; ok {
		return a, true
	}
	for _, p := range aliasPrefixes {
		if len(key) > len(p.from) && strings.EqualFold(key[:len(p.from)], p.from) {
			return keyAlias{target: p.to + key[len(p.from):], why: p.why}, true
		}
	}
	return keyAlias{}, false
}

// serverKeys are the keys the server fills, which an offline request must
// set in its context (API.md §4).
var serverKeys = map[string]string{
	"request:time": "the server fills request:time with its clock; offline (gatehouse eval, explain, test) set it in the request's context",
	"request:ip":   "the server fills request:ip from the request body; offline (gatehouse eval, explain, test) set it in the request's context",
}
