package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// Limits on key sets.
const (
	// maxKeys bounds the keys read from one JWK Set; later ones are
	// ignored. Identity providers publish two or three.
	maxKeys = 100
	// minRSABits is the smallest RSA modulus gatehouse uses (RFC 7518
	// §3.3: "A key of size 2048 bits or larger MUST be used"). Smaller keys
	// are never used, even when an issuer publishes them. go-jose refuses
	// keys over 4096 bits.
	minRSABits = 2048
)

// keyKind is the type of a usable public key, which decides the
// algorithms it may verify.
type keyKind uint8

const (
	kindRSA keyKind = iota + 1
	kindP256
	kindP384
	kindP521
	kindEd25519
)

// String names the kind for messages: "RSA", "EC P-256", "Ed25519".
func (k keyKind) String() string {
	switch k {
	case kindRSA:
		return "RSA"
	case kindP256:
		return "EC P-256"
	case kindP384:
		return "EC P-384"
	case kindP521:
		return "EC P-521"
	case kindEd25519:
		return "Ed25519"
	}
	return "unknown"
}

// fits reports whether a key of kind k may verify alg: RSA keys RS* and
// PS*, each curve its own ES* (RFC 7518 §3.4), Ed25519 EdDSA (RFC 8037).
// This is what stops algorithm switching: an RSA key never verifies an
// HMAC or an ECDSA signature.
func (k keyKind) fits(alg string) bool {
	switch k {
	case kindRSA:
		switch alg {
		case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
			return true
		}
	case kindP256:
		return alg == "ES256"
	case kindP384:
		return alg == "ES384"
	case kindP521:
		return alg == "ES512"
	case kindEd25519:
		return alg == "EdDSA"
	}
	return false
}

// key is one usable verification key of a set.
type key struct {
	kid  string
	alg  string // the JWK's "alg", "" when it names none
	kind keyKind
	pub  any    // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	id   string // RFC 7638 SHA-256 thumbprint, base64url: the key's identity
}

// accepts reports whether k may verify a token whose header says alg: the
// kind must fit, and a JWK that names its "alg" verifies only that one.
func (k *key) accepts(alg string) bool {
	return k.kind.fits(alg) && (k.alg == "" || k.alg == alg)
}

// describe names k for a message: `the RSA key "k1"`, `the Ed25519 key
// without a kid`.
func (k *key) describe() string {
	if k.kid == "" {
		return "the " + k.kind.String() + " key without a kid"
	}
	return "the " + k.kind.String() + " key " + short(k.kid)
}

// keySet is the usable keys of one JWK Set, and why the others are not
// used.
type keySet struct {
	keys []*key
	// refused maps the kid of each key that is refused (too weak, private,
	// symmetric) to the reason, so that a token naming it gets a clear
	// answer rather than "unknown key".
	refused map[string]string
	// ids holds the thumbprint of every usable key.
	ids map[string]bool
}

// has reports whether the set still holds the key with thumbprint id.
func (s *keySet) has(id string) bool { return s != nil && s.ids[id] }

// kids lists the kids of the usable keys, for messages.
func (s *keySet) kids() []string {
	var out []string
	for _, k := range s.keys {
		if k.kid != "" && !slices.Contains(out, k.kid) {
			out = append(out, k.kid)
		}
	}
	return out
}

// keyProblem is why one key of a set is not used. warn marks keys that
// are simply not for us (encryption keys, unknown types), as opposed to
// keys that are wrong (weak, private, symmetric, unreadable).
type keyProblem struct {
	index int
	kid   string
	warn  bool
	msg   string
}

// errNotKeySet is the error for a document that is not a JWK Set.
var errNotKeySet = errors.New(`not a JWK Set: expected a JSON object {"keys": [...]}`)

// parseKeySet reads a JWK Set (RFC 7517 §5). A document that is not a set
// is an error; keys that cannot be used are skipped, each with a problem
// (RFC 7517 §5: "Implementations SHOULD ignore JWKs within a JWK Set that
// use kty values that are not understood by them…").
func parseKeySet(b []byte) (*keySet, []keyProblem, error) {
	var doc struct {
		Keys *[]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Keys == nil {
		return nil, nil, errNotKeySet
	}
	set := &keySet{refused: map[string]string{}, ids: map[string]bool{}}
	var problems []keyProblem
	for i, raw := range *doc.Keys {
		if i >= maxKeys {
			problems = append(problems, keyProblem{index: i, warn: true,
				msg: fmt.Sprintf("the set has %d keys; only the first %d are read", len(*doc.Keys), maxKeys)})
			break
		}
		k, kid, p := parseKey(raw)
		if p != "" {
			warn := strings.HasPrefix(p, "is not used")
			problems = append(problems, keyProblem{index: i, kid: kid, warn: warn, msg: p})
			if kid != "" && !warn {
				if _, seen := set.refused[kid]; !seen {
					set.refused[kid] = p
				}
			}
			continue
		}
		if set.ids[k.id] {
			continue // the same key twice
		}
		set.ids[k.id] = true
		set.keys = append(set.keys, k)
	}
	// A kid that also names a usable key is not refused.
	for _, k := range set.keys {
		delete(set.refused, k.kid)
	}
	return set, problems, nil
}

// parseKey reads one JWK. It returns the key, or its kid and why it is not
// used: "is not used: …" for keys that are not for signatures, anything
// else for keys that are refused.
func parseKey(raw json.RawMessage) (k *key, kid string, problem string) {
	var probe struct {
		Kty    string   `json:"kty"`
		Kid    string   `json:"kid"`
		Use    string   `json:"use"`
		Alg    string   `json:"alg"`
		Crv    string   `json:"crv"`
		KeyOps []string `json:"key_ops"`
		// Private and symmetric key material.
		D    json.RawMessage `json:"d"`
		P    json.RawMessage `json:"p"`
		Q    json.RawMessage `json:"q"`
		DP   json.RawMessage `json:"dp"`
		DQ   json.RawMessage `json:"dq"`
		QI   json.RawMessage `json:"qi"`
		K    json.RawMessage `json:"k"`
		Priv json.RawMessage `json:"priv"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, "", "cannot be read: a key is a JSON object with string members (RFC 7517 §4)"
	}
	kid = probe.Kid
	switch {
	case probe.Kty == "oct" || probe.K != nil:
		return nil, kid, "is a symmetric key (kty oct): gatehouse verifies only public-key signatures, and a shared secret must never be published; remove it"
	case probe.D != nil || probe.P != nil || probe.Q != nil || probe.DP != nil || probe.DQ != nil || probe.QI != nil || probe.Priv != nil:
		return nil, kid, "holds private key material: publish only the public key (drop d, p, q, dp, dq, qi), and replace this key pair, since its private part is no longer secret"
	case probe.Use != "" && probe.Use != "sig":
		return nil, kid, fmt.Sprintf("is not used: its use is %s, not sig", short(probe.Use))
	case probe.KeyOps != nil && !slices.Contains(probe.KeyOps, "verify"):
		return nil, kid, "is not used: its key_ops do not include verify"
	case probe.Kty == "":
		return nil, kid, "has no kty (key type)"
	case probe.Kty != "RSA" && probe.Kty != "EC" && probe.Kty != "OKP":
		return nil, kid, fmt.Sprintf("is not used: key type %s is not one gatehouse verifies with (RSA, EC, OKP)", short(probe.Kty))
	case probe.Kty == "OKP" && probe.Crv != "Ed25519":
		return nil, kid, fmt.Sprintf("is not used: OKP curve %s is not Ed25519", short(probe.Crv))
	case probe.Alg != "" && !isAllowedAlgorithm(probe.Alg):
		if strings.HasPrefix(probe.Alg, "HS") || probe.Alg == "none" {
			return nil, kid, fmt.Sprintf("names the algorithm %s, which gatehouse never accepts", short(probe.Alg))
		}
		return nil, kid, fmt.Sprintf("is not used: its algorithm %s is not a signature algorithm gatehouse verifies", short(probe.Alg))
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		if errors.Is(err, jose.ErrUnsupportedKeyType) {
			return nil, kid, "is not supported: RSA keys of more than 4096 bits and EC curves other than P-256, P-384 and P-521 are not used"
		}
		return nil, kid, "cannot be read: " + strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
	}
	out := &key{kid: kid, alg: probe.Alg}
	switch pub := jwk.Key.(type) {
	case *rsa.PublicKey:
		if bits := pub.N.BitLen(); bits < minRSABits {
			return nil, kid, fmt.Sprintf("is a %d-bit RSA key: gatehouse uses no RSA key under %d bits (RFC 7518 §3.3); replace it", bits, minRSABits)
		}
		if pub.E < 3 || pub.E%2 == 0 {
			return nil, kid, fmt.Sprintf("is an RSA key with the exponent %d: it must be odd and at least 3 (65537 is usual)", pub.E)
		}
		out.kind, out.pub = kindRSA, pub
	case *ecdsa.PublicKey:
		switch pub.Curve {
		case elliptic.P256():
			out.kind = kindP256
		case elliptic.P384():
			out.kind = kindP384
		case elliptic.P521():
			out.kind = kindP521
		default:
			return nil, kid, "is not used: its curve is not P-256, P-384 or P-521"
		}
		out.pub = pub
	case ed25519.PublicKey:
		out.kind, out.pub = kindEd25519, pub
	default:
		return nil, kid, "is not used: not an RSA, EC or Ed25519 public key"
	}
	if out.alg != "" && !out.kind.fits(out.alg) {
		return nil, kid, fmt.Sprintf("is an %s key but names the algorithm %s, which such a key cannot verify", out.kind, out.alg)
	}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, kid, "cannot be read: " + strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
	}
	out.id = base64.RawURLEncoding.EncodeToString(tp)
	return out, "", ""
}
