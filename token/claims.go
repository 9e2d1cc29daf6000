package token

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// maxPrincipalBytes bounds the principal claim's value (OpenID Connect
// Core §2: a sub is at most 255 ASCII characters).
const maxPrincipalBytes = 255

// NumericDate bounds: values outside years 1–9999 are clamped to them, so
// that absurd dates compare sanely instead of overflowing.
const (
	minNumericDate = -62135596800 // 0001-01-01T00:00:00Z
	maxNumericDate = 253402300799 // 9999-12-31T23:59:59Z
)

// numericDate reads the NumericDate claim name (RFC 7519 §2: seconds since
// 1970, possibly fractional). present is false when the claim is absent.
func numericDate(claims map[string]any, name string) (t time.Time, present bool, e *Error) {
	v, ok := claims[name]
	if !ok {
		return time.Time{}, false, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, true, fail(CodeMalformedToken, fmt.Sprintf("the token's %s claim is %s, not a number of seconds since 1970 (a NumericDate, RFC 7519 §2)", name, jsonKind(v)))
	}
	// encoding/json has checked the syntax; a value out of float64's range
	// parses as ±Inf (or 0), which the clamp below handles.
	f, _ := strconv.ParseFloat(string(n), 64)
	if math.IsNaN(f) {
		f = 0
	}
	f = min(max(f, minNumericDate), maxNumericDate)
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, nil
}

// jsonKind names the JSON type of a decoded value for a message.
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "a value"
}

// times holds a token's checked time claims.
type times struct {
	exp, nbf, iat time.Time
	hasNbf        bool
	hasIat        bool
}

// checkTimes checks exp (required), nbf and iat against now with leeway:
// expired once now ≥ exp + leeway (RFC 7519 §4.1.4), not yet valid while
// now + leeway < nbf (§4.1.5) or iat > now + leeway (a token from the
// future means a clock is wrong; §4.1.6 leaves it open).
func checkTimes(claims map[string]any, now time.Time, leeway time.Duration) (times, *Error) {
	var t times
	var present bool
	var e *Error
	if t.exp, present, e = numericDate(claims, "exp"); e != nil {
		return t, e
	} else if !present {
		return t, fail(CodeMalformedToken, "the token has no exp claim: gatehouse accepts only tokens that expire")
	}
	if t.nbf, t.hasNbf, e = numericDate(claims, "nbf"); e != nil {
		return t, e
	}
	if t.iat, t.hasIat, e = numericDate(claims, "iat"); e != nil {
		return t, e
	}
	if !now.Before(t.exp.Add(leeway)) {
		return t, fail(CodeTokenExpired, fmt.Sprintf("the token expired at %s, %s ago (leeway %s): get a new token", stamp(t.exp), human(now.Sub(t.exp)), seconds(leeway)))
	}
	if t.hasNbf && now.Add(leeway).Before(t.nbf) {
		return t, fail(CodeTokenNotYetValid, fmt.Sprintf("the token is valid only from %s (nbf), in %s (leeway %s): if it was just issued, the clocks of the issuer and of gatehouse disagree", stamp(t.nbf), human(t.nbf.Sub(now)), seconds(leeway)))
	}
	if t.hasIat && now.Add(leeway).Before(t.iat) {
		return t, fail(CodeTokenNotYetValid, fmt.Sprintf("the token was issued at %s (iat), %s in the future (leeway %s): the clocks of the issuer and of gatehouse disagree", stamp(t.iat), human(t.iat.Sub(now)), seconds(leeway)))
	}
	return t, nil
}

// checkAudience checks the issuer's audience claim: a string or a list of
// strings (RFC 7519 §4.1.3) naming at least one of the issuer's audiences.
func checkAudience(claims map[string]any, iss *Issuer) *Error {
	name := iss.audienceClaim()
	v, ok := claims[name]
	if !ok {
		msg := fmt.Sprintf("the token has no %s claim; issuer %s accepts tokens for %s", name, iss.Name, quoteList(iss.Audiences, 5))
		if cid, ok := claims["client_id"].(string); ok && name == "aud" {
			msg += fmt.Sprintf(". It has client_id %s: Cognito access tokens carry the audience there, so set the issuer's audience_claim to client_id", short(cid))
		}
		return fail(CodeWrongAudience, msg)
	}
	var auds []string
	switch v := v.(type) {
	case string:
		auds = []string{v}
	case []any:
		for _, a := range v {
			s, ok := a.(string)
			if !ok {
				return fail(CodeMalformedToken, fmt.Sprintf("the token's %s claim holds %s: it must be a string or a list of strings (RFC 7519 §4.1.3)", name, jsonKind(a)))
			}
			auds = append(auds, s)
		}
	default:
		return fail(CodeMalformedToken, fmt.Sprintf("the token's %s claim is %s: it must be a string or a list of strings (RFC 7519 §4.1.3)", name, jsonKind(v)))
	}
	for _, a := range auds {
		if slices.Contains(iss.Audiences, a) {
			return nil
		}
	}
	return fail(CodeWrongAudience, fmt.Sprintf("the token's %s is %s; issuer %s accepts only %s: the token was issued for another application, or add its audience to the issuer's audiences",
		name, quoteList(auds, 5), iss.Name, quoteList(iss.Audiences, 5)))
}

// lookupClaim finds a claim by its exact name, or else, when the name has
// dots, by walking nested objects ("address.country"), as API.md §3 reads
// jwt: keys.
func lookupClaim(claims map[string]any, name string) (any, bool) {
	if v, ok := claims[name]; ok {
		return v, true
	}
	if !strings.Contains(name, ".") {
		return nil, false
	}
	var cur any = claims
	for part := range strings.SplitSeq(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// principal reads the issuer's principal claim: a non-empty string (or a
// number, as its JSON text) of at most maxPrincipalBytes without white
// space or control characters.
func principal(claims map[string]any, iss *Issuer) (string, *Error) {
	name := iss.principalClaim()
	v, ok := lookupClaim(claims, name)
	if !ok {
		return "", fail(CodeMalformedToken, fmt.Sprintf("the token has no %s claim, which issuer %s names as its principal_claim: send a token that carries it (an ID token, if an access token lacks it), or change the issuer's principal_claim", short(name), iss.Name))
	}
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = string(v)
	default:
		return "", fail(CodeMalformedToken, fmt.Sprintf("the token's %s claim (issuer %s's principal_claim) is %s: it must be a string", short(name), iss.Name, jsonKind(v)))
	}
	switch {
	case s == "":
		return "", fail(CodeMalformedToken, fmt.Sprintf("the token's %s claim (issuer %s's principal_claim) is empty", short(name), iss.Name))
	case len(s) > maxPrincipalBytes:
		return "", fail(CodeMalformedToken, fmt.Sprintf("the token's %s claim (issuer %s's principal_claim) is %d bytes long; at most %d are accepted", short(name), iss.Name, len(s), maxPrincipalBytes))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return "", fail(CodeMalformedToken, fmt.Sprintf("the token's %s claim (issuer %s's principal_claim) holds white space or a control character, which a subject id may not", short(name), iss.Name))
	}
	return s, nil
}

// attributes copies the issuer's attribute claims that the token has.
func attributes(claims map[string]any, iss *Issuer) map[string]any {
	if len(iss.AttributeClaims) == 0 {
		return nil
	}
	out := map[string]any{}
	for _, name := range iss.AttributeClaims {
		if v, ok := lookupClaim(claims, name); ok {
			out[name] = v
		}
	}
	return out
}
