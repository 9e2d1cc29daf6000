package mint

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Algorithm is a JWS signature algorithm a KeySet can sign with.
type Algorithm string

// The signature algorithms a KeySet offers.
const (
	// EdDSA signs with Ed25519 (RFC 8037). It is the default: small keys,
	// fast signing and no nonce to get wrong.
	EdDSA Algorithm = "EdDSA"
	// ES256 signs with ECDSA on P-256 and SHA-256 (RFC 7518), for verifiers
	// that do not know EdDSA yet.
	ES256 Algorithm = "ES256"

	// DefaultAlgorithm is used when an Algorithm is left empty.
	DefaultAlgorithm = EdDSA
)

// Limits of a KeySet.
const (
	// MaxTokenLifetime is the longest ttl Mint accepts: the longest
	// assume-role session (12 hours). A retired key has to verify this long
	// after its retirement, so raising it keeps old keys published longer.
	MaxTokenLifetime = 12 * time.Hour

	// RetentionMargin is added to MaxTokenLifetime before a retired key is
	// forgotten, so a verifier that allows some clock leeway on exp does not
	// meet an unknown kid for a token it would still accept.
	RetentionMargin = 5 * time.Minute

	// MaxKeys bounds the keys a KeySet holds (the active one included), and
	// so the size of the published JWKS: rotating more often than
	// MaxKeys-1 times within MaxTokenLifetime is refused until Prune or Drop
	// makes room.
	MaxKeys = 16
)

// Errors a caller may branch on.
var (
	// ErrAlgorithm reports an algorithm other than EdDSA and ES256.
	ErrAlgorithm = errors.New("mint: unsupported signing algorithm")
	// ErrTooManyKeys reports a Rotate that would hold more than MaxKeys keys.
	ErrTooManyKeys = errors.New("mint: too many signing keys")
	// ErrUnknownKey reports a Drop of a key id the set does not hold.
	ErrUnknownKey = errors.New("mint: no such signing key")
	// ErrActiveKey reports a Drop of the active key, which would leave
	// nothing to sign with.
	ErrActiveKey = errors.New("mint: the active signing key cannot be dropped")
)

// KeyInfo describes one signing key without its private part.
type KeyInfo struct {
	// ID is the key's kid: its RFC 7638 thumbprint (SHA-256, base64url).
	ID string `json:"kid"`
	// Algorithm is what the key signs with.
	Algorithm Algorithm `json:"alg"`
	// CreatedAt is when the key was made.
	CreatedAt time.Time `json:"created_at"`
	// RetiredAt is when the key stopped signing; zero for the active key.
	RetiredAt time.Time `json:"retired_at,omitzero"`
	// VerifiesUntil is when Prune forgets the key: RetiredAt +
	// MaxTokenLifetime + RetentionMargin; zero for the active key.
	VerifiesUntil time.Time `json:"verifies_until,omitzero"`
}

// Active reports whether the key is the one that signs.
func (k KeyInfo) Active() bool { return k.RetiredAt.IsZero() }

// signingKey is one key with its private part and a signer made once.
type signingKey struct {
	info   KeyInfo
	priv   crypto.Signer // ed25519.PrivateKey or *ecdsa.PrivateKey
	signer jose.Signer
}

// KeySet is one store's signing keys: the active key signs, retired keys
// keep verifying until their tokens can have expired. A KeySet is safe for
// concurrent use. Its zero value is not usable; make one with NewKeySet or
// UnmarshalKeySet.
type KeySet struct {
	mu   sync.RWMutex
	keys []*signingKey // oldest first; the last one is the active key

	randMu sync.Mutex // serializes reads of rand by concurrent Mints
	rand   io.Reader
}

// NewKeySet returns a KeySet with one new active key of the given algorithm
// (DefaultAlgorithm when empty), created at now. random supplies the key
// material and token ids; nil means crypto/rand. (Since Go 1.26 ECDSA key
// generation always draws from the system's secure source, whatever the
// reader.)
func NewKeySet(alg Algorithm, now time.Time, random io.Reader) (*KeySet, error) {
	if random == nil {
		random = rand.Reader
	}
	k, err := newSigningKey(alg, now, random)
	if err != nil {
		return nil, err
	}
	return &KeySet{keys: []*signingKey{k}, rand: random}, nil
}

// Rotate retires the active key at now and makes a new active key of the
// given algorithm (DefaultAlgorithm when empty). The retired key stops
// signing at once and keeps verifying until its VerifiesUntil. Keys already
// past their VerifiesUntil are pruned first. It fails with ErrTooManyKeys
// when the set would then hold more than MaxKeys keys, and leaves the set
// unchanged on any error.
func (s *KeySet) Rotate(alg Algorithm, now time.Time) (KeyInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := newSigningKey(alg, now, s.rand)
	if err != nil {
		return KeyInfo{}, err
	}
	kept := s.unexpired(now)
	if len(kept)+1 > MaxKeys {
		return KeyInfo{}, fmt.Errorf("%w: %d keys still verify tokens (at most %d); the oldest retired one verifies until %s: wait for it, or drop it (its tokens stop verifying)",
			ErrTooManyKeys, len(kept), MaxKeys, kept[0].info.VerifiesUntil.Format(time.RFC3339))
	}
	active := kept[len(kept)-1]
	retired := now
	if retired.Before(active.info.CreatedAt) {
		retired = active.info.CreatedAt // a clock that went backwards
	}
	active.info.RetiredAt = retired
	active.info.VerifiesUntil = retired.Add(MaxTokenLifetime + RetentionMargin)
	s.keys = append(kept, k)
	return k.info, nil
}

// Prune forgets the retired keys whose VerifiesUntil is not after now and
// returns their ids (nil when none). The active key is never pruned.
func (s *KeySet) Prune(now time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var gone []string
	for _, k := range s.keys {
		if expired(k, now) {
			gone = append(gone, k.info.ID)
		}
	}
	if gone != nil {
		s.keys = s.unexpired(now)
	}
	return gone
}

// Drop forgets a retired key at once, whatever its VerifiesUntil: every
// token it signed stops verifying. It is for a key that may have leaked;
// rotate first, then drop the old key. Dropping the active key is
// ErrActiveKey, an id the set does not hold ErrUnknownKey.
func (s *KeySet) Drop(kid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, k := range s.keys {
		if k.info.ID != kid {
			continue
		}
		if k.info.Active() {
			return fmt.Errorf("%w: rotate first, then drop %s", ErrActiveKey, kid)
		}
		s.keys = append(s.keys[:i:i], s.keys[i+1:]...)
		return nil
	}
	return fmt.Errorf("%w: %q", ErrUnknownKey, kid)
}

// Keys describes every key the set holds, oldest first; the last one is the
// active key.
func (s *KeySet) Keys() []KeyInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]KeyInfo, len(s.keys))
	for i, k := range s.keys {
		out[i] = k.info
	}
	return out
}

// Active describes the key that signs.
func (s *KeySet) Active() KeyInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.keys[len(s.keys)-1].info
}

// unexpired returns the keys still verifying at now, in a new slice.
// The caller holds s.mu.
func (s *KeySet) unexpired(now time.Time) []*signingKey {
	kept := make([]*signingKey, 0, len(s.keys)+1)
	for _, k := range s.keys {
		if !expired(k, now) {
			kept = append(kept, k)
		}
	}
	return kept
}

// expired reports whether a retired key is past its VerifiesUntil.
func expired(k *signingKey, now time.Time) bool {
	return !k.info.Active() && !now.Before(k.info.VerifiesUntil)
}

// String names the active key and counts the keys; it never shows private
// key material.
func (s *KeySet) String() string {
	if s == nil {
		return "mint.KeySet(nil)"
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.keys) == 0 {
		return "mint.KeySet{}"
	}
	a := s.keys[len(s.keys)-1].info
	return fmt.Sprintf("mint.KeySet{active: %s %s, keys: %d, private keys: redacted}", a.Algorithm, a.ID, len(s.keys))
}

// Format prints String for every verb, %#v and %+v included, so that fmt
// never walks into the private keys.
func (s *KeySet) Format(f fmt.State, _ rune) {
	io.WriteString(f, s.String())
}

// LogValue gives slog the key ids and algorithms, never private keys.
func (s *KeySet) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("mint.KeySet(nil)")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.keys) == 0 {
		return slog.GroupValue()
	}
	a := s.keys[len(s.keys)-1].info
	kids := make([]string, len(s.keys))
	for i, k := range s.keys {
		kids[i] = k.info.ID
	}
	return slog.GroupValue(
		slog.String("active_kid", a.ID),
		slog.String("alg", string(a.Algorithm)),
		slog.Int("keys", len(s.keys)),
		slog.Any("kids", kids),
		slog.String("private_keys", "redacted"),
	)
}

// MarshalJSON writes the public description of the keys ({"keys": [KeyInfo…]}),
// so that a KeySet that lands in a JSON response or log never carries a
// private key. It is not the storage form: use Marshal for that.
func (s *KeySet) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Keys []KeyInfo `json:"keys"`
	}{s.Keys()})
}

// newSigningKey makes a key of alg at now from random.
func newSigningKey(alg Algorithm, now time.Time, random io.Reader) (*signingKey, error) {
	if alg == "" {
		alg = DefaultAlgorithm
	}
	var priv crypto.Signer
	switch alg {
	case EdDSA:
		_, p, err := ed25519.GenerateKey(random)
		if err != nil {
			return nil, fmt.Errorf("mint: making an Ed25519 key: %w", err)
		}
		priv = p
	case ES256:
		p, err := ecdsa.GenerateKey(elliptic.P256(), random)
		if err != nil {
			return nil, fmt.Errorf("mint: making a P-256 key: %w", err)
		}
		priv = p
	default:
		return nil, fmt.Errorf("%w: %q (use %s or %s)", ErrAlgorithm, alg, EdDSA, ES256)
	}
	return keyFrom(priv, alg, now.UTC())
}

// keyFrom wraps a private key: it computes the kid and makes the signer.
func keyFrom(priv crypto.Signer, alg Algorithm, created time.Time) (*signingKey, error) {
	kid, err := thumbprint(priv.Public())
	if err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType(TokenType),
	)
	if err != nil {
		return nil, fmt.Errorf("mint: making a %s signer: %w", alg, err)
	}
	return &signingKey{
		info:   KeyInfo{ID: kid, Algorithm: alg, CreatedAt: created},
		priv:   priv,
		signer: signer,
	}, nil
}

// thumbprint is the RFC 7638 SHA-256 thumbprint of a public key, base64url.
func thumbprint(pub crypto.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("mint: key thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}
