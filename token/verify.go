package token

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Verified is a token that passed verification. Claims and Attributes may
// be shared with other results for the same token (cached): read them,
// never change them.
type Verified struct {
	// IssuerName is the name of the trusted issuer in the store.
	IssuerName string `json:"issuer_name"`
	// Issuer is the token's "iss".
	Issuer string `json:"issuer"`
	// Subject is the subject id, namespaced by issuer (API.md §2):
	// "<issuer name>:<principal claim value>".
	Subject string `json:"subject"`
	// PrincipalValue is the principal claim's value alone.
	PrincipalValue string `json:"principal_value"`
	// Claims holds every claim, numbers as json.Number (exactly as
	// written).
	Claims map[string]any `json:"claims"`
	// Attributes holds the issuer's attribute_claims that the token has,
	// by claim name; nil when the issuer names none.
	Attributes map[string]any `json:"attributes,omitempty"`
	// ID is the token's "jti", "" without one.
	ID string `json:"jti,omitempty"`
	// ExpiresAt is "exp"; IssuedAt is "iat", zero without one.
	ExpiresAt time.Time `json:"expires_at"`
	IssuedAt  time.Time `json:"issued_at,omitzero"`
	// KeyID is the "kid" of the key that verified the signature, "" when
	// the key has none.
	KeyID string `json:"kid,omitempty"`
	// TokenHash is the hex SHA-256 of the token, for revocation lists that
	// must not hold tokens. It is not part of the JSON form.
	TokenHash string `json:"-"`
}

// stage orders the steps of verification, so that when several issuers
// share the token's iss and all refuse it, the refusal that got furthest
// is reported.
type stage int

const (
	stageAlgorithm stage = iota + 1
	stageKey
	stageSignature
	stageClaims
)

// Verify verifies raw against the trusted issuers of a store, at the
// instant now, and returns the verified token. The steps, in order:
//
//  1. size: at most the size limit (token_too_large);
//  2. the verified-token cache: a token verified before under the same
//     issuer configuration and key, now within its validity, skips to 10;
//  3. form: a compact JWS whose header and claims are UTF-8 JSON objects
//     without duplicate keys, no "crit" (malformed_token);
//  4. issuer: the unverified "iss" equals an issuer's URL exactly
//     (unknown_issuer); several issuers may share it, and each is tried,
//     in the order given;
//  5. algorithm: "alg" is in that issuer's allowlist, which never holds
//     "none" or HMAC (algorithm_not_allowed);
//  6. key: the key named by "kid" (without a kid, the only key for the
//     algorithm), whose type fits the algorithm (algorithm_not_allowed);
//     an unknown kid refreshes the keys once, at a bounded rate, then
//     unknown_key; a weak RSA key is never used (unknown_key);
//  7. signature, by go-jose (bad_signature);
//  8. exp (required), nbf and iat, with the leeway (token_expired,
//     token_not_yet_valid);
//  9. audience claim names one of the issuer's audiences (wrong_audience);
//     the principal claim is present (malformed_token);
//  10. revocation: the Revoked hook (token_revoked).
//
// err is an *Error, or ctx's error when ctx ends while keys are being
// fetched. Neither ever holds the token.
func (v *Verifier) Verify(ctx context.Context, raw string, issuers []Issuer, now time.Time) (*Verified, error) {
	if len(raw) > v.maxBytes {
		return nil, fail(CodeTokenTooLarge, fmt.Sprintf("the token is %d bytes; at most %d are accepted", len(raw), v.maxBytes))
	}
	hash := sha256.Sum256([]byte(raw))
	if v.cache != nil {
		if e := v.cache.get(hash); e != nil {
			if res, ok := v.hit(e, issuers, now); ok {
				return v.checkRevoked(ctx, res)
			}
		}
	}
	c, e := parseCompact(raw)
	if e != nil {
		return nil, e
	}
	iss, ok := c.claims["iss"].(string)
	if !ok {
		if _, present := c.claims["iss"]; present {
			return nil, fail(CodeMalformedToken, "the token's iss claim is not a string")
		}
		return nil, fail(CodeUnknownIssuer, "the token has no iss claim, so no trusted issuer can be found for it")
	}
	var (
		best      *Error
		bestStage stage
		matched   bool
	)
	for i := range issuers {
		if issuers[i].Issuer != iss {
			continue
		}
		matched = true
		entry, st, err := v.verifyWith(ctx, raw, c, &issuers[i], now)
		if err != nil {
			if e, ok := err.(*Error); ok && st > bestStage {
				best, bestStage = e, st
				continue
			} else if !ok {
				return nil, err // ctx ended
			}
			continue
		}
		entry.hash = hash
		entry.v.TokenHash = hex.EncodeToString(hash[:])
		if v.cache != nil && now.Before(entry.expires) {
			v.cache.put(entry)
		}
		res := *entry.v
		return v.checkRevoked(ctx, &res)
	}
	if !matched {
		return nil, fail(CodeUnknownIssuer, unknownIssuer(iss, issuers))
	}
	if best == nil { // cannot happen: every refusal is an *Error
		best = fail(CodeMalformedToken, "the token could not be verified")
	}
	return nil, best
}

// unknownIssuer explains an iss that no issuer has.
func unknownIssuer(iss string, issuers []Issuer) string {
	if len(issuers) == 0 {
		return fmt.Sprintf("the token's issuer %s is not trusted: the store has no trusted issuers; add one with PUT /v1/stores/{store}/issuers/{name}", short(iss))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the token's issuer %s is not one of the store's trusted issuers", short(iss))
	for _, i := range issuers {
		if strings.TrimSuffix(i.Issuer, "/") == strings.TrimSuffix(iss, "/") {
			fmt.Fprintf(&b, " (issuer %s has %s: the URL must match exactly, trailing slash included)", i.Name, short(i.Issuer))
			return b.String()
		}
	}
	names := make([]string, 0, len(issuers))
	for _, i := range issuers {
		names = append(names, i.Issuer)
	}
	fmt.Fprintf(&b, " (%s)", quoteList(names, 5))
	return b.String()
}

// hit checks a cached entry against the current issuers, keys and time.
// Keys past their max-age send the token through full verification, which
// refreshes them.
func (v *Verifier) hit(e *cacheEntry, issuers []Issuer, now time.Time) (*Verified, bool) {
	if !now.Before(e.expires) || now.Before(e.validFrom) || v.clock().UnixNano() >= e.src.fresh.Load() {
		return nil, false
	}
	for i := range issuers {
		if issuers[i].Name != e.issuer.Name {
			continue
		}
		if !sameConfig(&issuers[i], &e.issuer) || !e.src.cur.Load().has(e.keyID) {
			break
		}
		res := *e.v
		return &res, true
	}
	v.cache.remove(e)
	return nil, false
}

// checkRevoked asks the Revoked hook about a verified token.
func (v *Verifier) checkRevoked(ctx context.Context, res *Verified) (*Verified, error) {
	if v.revoked != nil && v.revoked(ctx, res) {
		detail := fmt.Sprintf("the token of subject %s from issuer %s has been revoked", short(res.Subject), res.IssuerName)
		if res.ID != "" {
			detail = fmt.Sprintf("the token %s (jti) of subject %s from issuer %s has been revoked", short(res.ID), short(res.Subject), res.IssuerName)
		}
		return nil, fail(CodeTokenRevoked, detail+": get a new token")
	}
	return res, nil
}

// verifyWith runs steps 5 to 9 for one issuer and returns a cache entry
// holding the result, or the error and the stage it arose at.
func (v *Verifier) verifyWith(ctx context.Context, raw string, c *compact, iss *Issuer, now time.Time) (*cacheEntry, stage, error) {
	if e := checkAlgorithm(c.alg, iss); e != nil {
		return nil, stageAlgorithm, e
	}
	src := v.source(iss)
	keys, err := v.selectKeys(ctx, src, iss, c.alg, c.kid)
	if err != nil {
		return nil, stageKey, err
	}
	if c.sig == "" {
		return nil, stageSignature, fail(CodeBadSignature, "the token has no signature (its third part is empty)")
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(c.alg)})
	if err != nil || len(jws.Signatures) != 1 || string(jws.Signatures[0].Header.Algorithm) != c.alg {
		return nil, stageSignature, &Error{Code: CodeMalformedToken, Detail: "the token is not a valid compact JWS (RFC 7515 §7.1)", cause: err}
	}
	var used *key
	for _, k := range keys {
		payload, err := jws.Verify(k.pub)
		if err == nil && bytes.Equal(payload, c.payload) {
			used = k
			break
		}
	}
	if used == nil {
		return nil, stageSignature, fail(CodeBadSignature, fmt.Sprintf("the signature does not verify with %s of issuer %s (%s): the token was altered, or signed by another key", describeKeyList(keys), iss.Name, c.alg))
	}
	t, e := checkTimes(c.claims, now, v.leeway)
	if e != nil {
		return nil, stageClaims, e
	}
	if e := checkAudience(c.claims, iss); e != nil {
		return nil, stageClaims, e
	}
	pv, e := principal(c.claims, iss)
	if e != nil {
		return nil, stageClaims, e
	}
	res := &Verified{
		IssuerName:     iss.Name,
		Issuer:         iss.Issuer,
		Subject:        iss.Name + ":" + pv,
		PrincipalValue: pv,
		Claims:         c.claims,
		Attributes:     attributes(c.claims, iss),
		ExpiresAt:      t.exp,
		KeyID:          used.kid,
	}
	if jti, ok := c.claims["jti"].(string); ok {
		res.ID = jti
	}
	if t.hasIat {
		res.IssuedAt = t.iat
	}
	from := time.Time{}
	if t.hasNbf {
		from = t.nbf
	}
	if t.hasIat && t.iat.After(from) {
		from = t.iat
	}
	entry := &cacheEntry{
		issuer: iss.clone(), src: src, keyID: used.id,
		validFrom: from.Add(-v.leeway), expires: t.exp, v: res,
	}
	return entry, stageClaims, nil
}

// describeKeyList names the keys tried, for a message.
func describeKeyList(keys []*key) string {
	if len(keys) == 1 {
		return keys[0].describe()
	}
	return fmt.Sprintf("any of the %d keys (%s)", len(keys), describeKeys(keys))
}

// checkAlgorithm checks the header's alg against the issuer's allowlist.
func checkAlgorithm(alg string, iss *Issuer) *Error {
	if iss.allows(alg) {
		return nil
	}
	allowed := strings.Join(iss.algorithms(), ", ")
	switch {
	case strings.EqualFold(alg, "none"):
		return fail(CodeAlgorithmNotAllowed, fmt.Sprintf("the token is unsigned (alg none), which gatehouse never accepts; issuer %s signs with %s", iss.Name, allowed))
	case strings.HasPrefix(alg, "HS"):
		return fail(CodeAlgorithmNotAllowed, fmt.Sprintf("the token is signed with HMAC (%s), which gatehouse never accepts: it verifies only public-key signatures (issuer %s: %s)", short(alg), iss.Name, allowed))
	case !isAllowedAlgorithm(alg):
		return fail(CodeAlgorithmNotAllowed, fmt.Sprintf("the token's algorithm %s is not one gatehouse accepts (issuer %s: %s)", short(alg), iss.Name, allowed))
	}
	return fail(CodeAlgorithmNotAllowed, fmt.Sprintf("the token is signed with %s, but issuer %s allows only %s: add %s to the issuer's algorithms if it really signs with it", alg, iss.Name, allowed, alg))
}
