package token

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gatehouse.dev/gatehouse/internal/textdist"
	"gatehouse.dev/gatehouse/policy"
)

// Limits on an issuer's configuration.
const (
	// maxNameBytes bounds an issuer name, which prefixes subject ids.
	maxNameBytes = 64
	// maxAudiences bounds the audiences of one issuer.
	maxAudiences = 100
	// maxAudienceBytes bounds one audience value.
	maxAudienceBytes = 1024
	// maxClaimNameBytes bounds a claim name (claim names can be URLs).
	maxClaimNameBytes = 256
	// maxAttributeClaims bounds attribute_claims.
	maxAttributeClaims = 64
	// maxInlineJWKSBytes bounds an inline key set.
	maxInlineJWKSBytes = 64 << 10
)

// Finding codes of Issuer.Validate.
const (
	codeIssuerName      = "issuer.bad_name"
	codeIssuerURL       = "issuer.bad_url"
	codeIssuerAudience  = "issuer.bad_audience"
	codeIssuerAlgorithm = "issuer.bad_algorithm"
	codeIssuerClaim     = "issuer.bad_claim"
	codeIssuerJWKS      = "issuer.bad_jwks"
	codeIssuerKey       = "issuer.bad_key"
	codeIssuerUnusedKey = "issuer.unused_key"
	codeIssuerDuplicate = "issuer.duplicate"
)

// Validate checks i as a person configured it and returns every problem,
// sorted, each with the JSON pointer of the field (the name, from the URL
// path, has the pointer "/name"): the name is a slug; issuer and jwks_uri
// are https URLs (http only on loopback hosts); audiences are given; the
// algorithms are in the allowed set; an inline jwks parses, has a usable
// key and no RSA key under 2048 bits, no symmetric key and no private key;
// jwks and jwks_uri are not both given. Warnings (duplicates, keys that
// are not for signatures, keys no allowed algorithm can use) do not make i
// unusable; errors do ([policy.Findings.HasErrors]).
func (i *Issuer) Validate() policy.Findings {
	var fs policy.Findings
	add := func(sev policy.Severity, code, ptr, format string, args ...any) {
		fs = append(fs, policy.Finding{Severity: sev, Code: code, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
	}
	errf := func(code, ptr, format string, args ...any) { add(policy.SeverityError, code, ptr, format, args...) }
	warnf := func(code, ptr, format string, args ...any) { add(policy.SeverityWarning, code, ptr, format, args...) }

	if err := checkIssuerName(i.Name); err != nil {
		errf(codeIssuerName, "/name", "%v", err)
	}
	if i.Issuer == "" {
		errf(codeIssuerURL, "/issuer", "issuer is required: the issuer URL exactly as the tokens' iss claim has it, e.g. https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCd123")
	} else if err := checkURL("issuer", i.Issuer, true); err != nil {
		errf(codeIssuerURL, "/issuer", "%v", err)
	}

	switch {
	case len(i.Audiences) == 0:
		errf(codeIssuerAudience, "/audiences", "audiences is empty: list the audience values your tokens carry (the client id of your application); a token naming none of them is refused")
	case len(i.Audiences) > maxAudiences:
		errf(codeIssuerAudience, "/audiences", "audiences has %d values; at most %d are allowed", len(i.Audiences), maxAudiences)
	}
	for n, a := range i.Audiences {
		ptr := fmt.Sprintf("/audiences/%d", n)
		switch {
		case a == "":
			errf(codeIssuerAudience, ptr, "audience %d is empty: remove it or give the value", n)
		case len(a) > maxAudienceBytes:
			errf(codeIssuerAudience, ptr, "audience %d is %d bytes long; at most %d are allowed", n, len(a), maxAudienceBytes)
		case slices.Index(i.Audiences, a) < n:
			warnf(codeIssuerDuplicate, ptr, "audience %s is listed twice: remove one", short(a))
		}
	}

	i.validateClaim(errf, "/audience_claim", "audience_claim", i.AudienceClaim)
	i.validateClaim(errf, "/principal_claim", "principal_claim", i.PrincipalClaim)
	if len(i.AttributeClaims) > maxAttributeClaims {
		errf(codeIssuerClaim, "/attribute_claims", "attribute_claims has %d names; at most %d are allowed", len(i.AttributeClaims), maxAttributeClaims)
	}
	for n, c := range i.AttributeClaims {
		ptr := fmt.Sprintf("/attribute_claims/%d", n)
		if c == "" {
			errf(codeIssuerClaim, ptr, "attribute claim %d is empty: remove it or name a claim", n)
			continue
		}
		i.validateClaim(errf, ptr, fmt.Sprintf("attribute claim %d", n), c)
		if slices.Index(i.AttributeClaims, c) < n {
			warnf(codeIssuerDuplicate, ptr, "attribute claim %s is listed twice: remove one", short(c))
		}
	}

	i.validateAlgorithms(errf, warnf)

	if i.JWKSURI != "" {
		if err := checkURL("jwks_uri", i.JWKSURI, false); err != nil {
			errf(codeIssuerURL, "/jwks_uri", "%v", err)
		}
		if len(i.JWKS) > 0 {
			errf(codeIssuerJWKS, "/jwks", "both jwks and jwks_uri are given: keep jwks_uri for keys the issuer publishes (they are refreshed on rotation), or jwks for a fixed set, not both")
		}
	}
	if len(i.JWKS) > 0 {
		i.validateJWKS(errf, warnf)
	}
	fs.Sort()
	return fs
}

// validateClaim checks a claim name (empty means the default).
func (i *Issuer) validateClaim(errf func(code, ptr, format string, args ...any), ptr, what, c string) {
	switch {
	case c == "":
	case len(c) > maxClaimNameBytes:
		errf(codeIssuerClaim, ptr, "%s is %d bytes long; at most %d are allowed", what, len(c), maxClaimNameBytes)
	case !utf8.ValidString(c) || strings.IndexFunc(c, unicode.IsControl) >= 0:
		errf(codeIssuerClaim, ptr, "%s %s is not valid UTF-8 or holds a control character", what, short(c))
	}
}

// validateAlgorithms checks the allowlist against the allowed set.
func (i *Issuer) validateAlgorithms(errf, warnf func(code, ptr, format string, args ...any)) {
	if i.Algorithms != nil && len(i.Algorithms) == 0 {
		errf(codeIssuerAlgorithm, "/algorithms", "algorithms is empty: leave it out for the default (%s), or list the algorithms your issuer signs with", strings.Join(DefaultAlgorithms(), ", "))
	}
	for n, a := range i.Algorithms {
		ptr := fmt.Sprintf("/algorithms/%d", n)
		switch {
		case isAllowedAlgorithm(a):
			if slices.Index(i.Algorithms, a) < n {
				warnf(codeIssuerDuplicate, ptr, "algorithm %s is listed twice: remove one", a)
			}
		case strings.EqualFold(a, "none"):
			errf(codeIssuerAlgorithm, ptr, "algorithm none is never accepted: a token without a signature proves nothing")
		case strings.HasPrefix(strings.ToUpper(a), "HS"):
			errf(codeIssuerAlgorithm, ptr, "algorithm %s is never accepted: HMAC needs a secret shared with the issuer, and gatehouse verifies only public-key signatures (%s)", short(a), strings.Join(AllowedAlgorithms(), ", "))
		default:
			msg := fmt.Sprintf("algorithm %s is not one gatehouse accepts: use %s", short(a), strings.Join(AllowedAlgorithms(), ", "))
			if s := closestAlgorithm(a); s != "" {
				msg = fmt.Sprintf("algorithm %s is not one gatehouse accepts: did you mean %s? (accepted: %s)", short(a), s, strings.Join(AllowedAlgorithms(), ", "))
			}
			errf(codeIssuerAlgorithm, ptr, "%s", msg)
		}
	}
}

// closestAlgorithm suggests the allowed algorithm a was probably meant to
// be ("rs256" → "RS256"), or "".
func closestAlgorithm(a string) string {
	best, bestD := "", 2
	for _, c := range AllowedAlgorithms() {
		if strings.EqualFold(a, c) {
			return c
		}
		if d := textdist.Distance(strings.ToUpper(a), strings.ToUpper(c), 1); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// validateJWKS checks an inline key set: every key must be usable, and at
// least one must fit an allowed algorithm.
func (i *Issuer) validateJWKS(errf, warnf func(code, ptr, format string, args ...any)) {
	if len(i.JWKS) > maxInlineJWKSBytes {
		errf(codeIssuerJWKS, "/jwks", "jwks is %d bytes; at most %d are allowed: publish the keys at a jwks_uri instead", len(i.JWKS), maxInlineJWKSBytes)
		return
	}
	set, problems, err := parseKeySet(i.JWKS)
	if err != nil {
		errf(codeIssuerJWKS, "/jwks", "jwks is %v (RFC 7517 §5)", err)
		return
	}
	for _, p := range problems {
		ptr := fmt.Sprintf("/jwks/keys/%d", p.index)
		if p.warn {
			warnf(codeIssuerUnusedKey, ptr, "key %d%s %s", p.index, kidNote(p.kid), p.msg)
		} else {
			errf(codeIssuerKey, ptr, "key %d%s %s", p.index, kidNote(p.kid), p.msg)
		}
	}
	usable := 0
	for _, k := range set.keys {
		if slices.ContainsFunc(i.algorithms(), k.accepts) {
			usable++
		}
	}
	if len(set.keys) == 0 {
		if len(problems) == 0 {
			errf(codeIssuerJWKS, "/jwks/keys", "jwks has no keys: add the issuer's public signing keys")
		}
	} else if usable == 0 {
		errf(codeIssuerJWKS, "/algorithms", "no key of jwks can verify any of the algorithms %s: its keys are %s; allow the algorithm your issuer signs with", strings.Join(i.algorithms(), ", "), describeKeys(set.keys))
	}
}

// kidNote returns ` (kid "x")`, or "" for no kid.
func kidNote(kid string) string {
	if kid == "" {
		return ""
	}
	return " (kid " + short(kid) + ")"
}

// describeKeys lists keys for a message.
func describeKeys(keys []*key) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, k.describe())
	}
	return strings.Join(parts, ", ")
}

// checkIssuerName checks an issuer name: a slug of lower-case letters,
// digits, - and _, starting with a letter or a digit, at most
// maxNameBytes. It prefixes subject ids ("<name>:<principal>"), so it
// holds no ":".
func checkIssuerName(s string) error {
	const rule = "use lower-case letters, digits, - and _ (e.g. cognito, auth0-prod)"
	if s == "" {
		return fmt.Errorf("the issuer name is empty: %s", rule)
	}
	if len(s) > maxNameBytes {
		return fmt.Errorf("the issuer name is %d bytes long; at most %d are allowed", len(s), maxNameBytes)
	}
	for n := 0; n < len(s); n++ {
		c := s[n]
		ok := 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || (n > 0 && (c == '-' || c == '_'))
		if !ok {
			if n == 0 {
				return fmt.Errorf("the issuer name %s must start with a lower-case letter or a digit: %s", short(s), rule)
			}
			return fmt.Errorf("the issuer name %s has %s at byte %d: %s", short(s), describeByteAt(s, n), n+1, rule)
		}
	}
	return nil
}

// describeByteAt names the character at s[n] for a message.
func describeByteAt(s string, n int) string {
	r, _ := utf8.DecodeRuneInString(s[n:])
	if r == utf8.RuneError {
		return fmt.Sprintf("the byte 0x%02x", s[n])
	}
	return fmt.Sprintf("%q", r)
}
