package token

import (
	"context"
	"fmt"
	"strings"
)

// selectKeys finds the keys that may verify a token of iss with header
// alg and kid: the keys with that kid that fit alg, or, without a kid, the
// only key that fits alg. A kid the keys lack (or no key for alg, without
// a kid) refreshes the keys once, at a bounded rate. Errors: unknown_key
// (no such key, a refused key, no keys at all), algorithm_not_allowed (the
// named key cannot verify alg), or ctx's error.
func (v *Verifier) selectKeys(ctx context.Context, src *source, iss *Issuer, alg, kid string) ([]*key, error) {
	set, err := src.current(ctx)
	if err != nil {
		return nil, err
	}
	keys, e, missing := pickKeys(set, iss, alg, kid)
	if !missing {
		return keys, asError(e)
	}
	set, _, note, err := src.refresh(ctx)
	if err != nil {
		return nil, err
	}
	keys, e, missing = pickKeys(set, iss, alg, kid)
	if missing {
		e.Detail += "; " + note
	}
	return keys, asError(e)
}

// asError returns e as an error, nil when e is nil (a nil *Error is not a
// nil error).
func asError(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

// pickKeys picks keys from set; missing reports a key the set lacks, which
// a refresh may bring.
func pickKeys(set *keySet, iss *Issuer, alg, kid string) ([]*key, *Error, bool) {
	if kid != "" {
		var named, fit []*key
		for _, k := range set.keys {
			if k.kid == kid {
				named = append(named, k)
				if k.accepts(alg) {
					fit = append(fit, k)
				}
			}
		}
		switch {
		case len(fit) > 0:
			return fit, nil, false
		case len(named) > 0:
			return nil, fail(CodeAlgorithmNotAllowed, fmt.Sprintf("the token says %s, but the key it names, %s of issuer %s, cannot verify %s%s: a key verifies only the algorithms of its own type",
				alg, named[0].describe(), iss.Name, alg, keyAlgNote(named[0]))), false
		}
		if why, ok := set.refused[kid]; ok {
			return nil, fail(CodeUnknownKey, fmt.Sprintf("the token's key (kid %s) of issuer %s is not used: it %s", short(kid), iss.Name, why)), false
		}
		return nil, fail(CodeUnknownKey, fmt.Sprintf("the token's key (kid %s) is not among the keys of issuer %s (%s)", short(kid), iss.Name, kidSummary(set))), true
	}
	var fit []*key
	for _, k := range set.keys {
		if k.accepts(alg) {
			fit = append(fit, k)
		}
	}
	switch len(fit) {
	case 1:
		return fit, nil, false
	case 0:
		return nil, fail(CodeUnknownKey, fmt.Sprintf("the token has no kid and issuer %s has no key for %s (%s)", iss.Name, alg, kidSummary(set))), true
	}
	return nil, fail(CodeUnknownKey, fmt.Sprintf("the token has no kid and issuer %s has %d keys for %s: gatehouse picks among several keys only by kid, so the issuer must put a kid in its tokens", iss.Name, len(fit), alg)), false
}

// keyAlgNote adds the algorithm a JWK names, when it names one.
func keyAlgNote(k *key) string {
	if k.alg == "" {
		return ""
	}
	return " (the key is for " + k.alg + " only)"
}

// kidSummary lists a set's kids and refused keys for a message.
func kidSummary(set *keySet) string {
	var b strings.Builder
	switch kids := set.kids(); {
	case len(set.keys) == 0:
		b.WriteString("it has no usable keys")
	case len(kids) == 0:
		fmt.Fprintf(&b, "its %d keys have no kid", len(set.keys))
	default:
		fmt.Fprintf(&b, "its keys: %s", quoteList(kids, 10))
	}
	if n := len(set.refused); n > 0 {
		fmt.Fprintf(&b, "; %d more not used, as too weak or not public", n)
	}
	return b.String()
}
