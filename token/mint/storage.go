package mint

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// storageVersion is the version of the storage form written by Marshal.
const storageVersion = 1

// MaxStoredBytes bounds the input of UnmarshalKeySet: MaxKeys keys of a few
// hundred bytes each fit many times over.
const MaxStoredBytes = 64 << 10

// ErrStored reports a storage form UnmarshalKeySet cannot use. The message
// says what is wrong and never quotes key material.
var ErrStored = errors.New("mint: stored key set")

// stored is the storage form: {"version": 1, "keys": [...]}, oldest first.
type stored struct {
	Version int         `json:"version"`
	Keys    []storedKey `json:"keys"`
}

// storedKey is one key: a private JWK (kid, alg, use "sig") and its dates.
type storedKey struct {
	CreatedAt time.Time       `json:"created_at"`
	RetiredAt time.Time       `json:"retired_at,omitzero"`
	JWK       json.RawMessage `json:"jwk"`
}

// Marshal returns the storage form of the set, private keys included:
// {"version": 1, "keys": [{"created_at", "retired_at", "jwk": <private JWK>}…]}.
// It is a secret: keep it where the store keeps secrets, and never log it.
func (s *KeySet) Marshal() ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := stored{Version: storageVersion, Keys: make([]storedKey, len(s.keys))}
	for i, k := range s.keys {
		jwk, err := jose.JSONWebKey{Key: k.priv, KeyID: k.info.ID, Algorithm: string(k.info.Algorithm), Use: "sig"}.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("mint: encoding key %s: %w", k.info.ID, err)
		}
		out.Keys[i] = storedKey{CreatedAt: k.info.CreatedAt, RetiredAt: k.info.RetiredAt, JWK: jwk}
	}
	return json.Marshal(out)
}

// UnmarshalKeySet reads the storage form written by Marshal. It checks
// everything it can: the version, that every key is a private Ed25519 or
// P-256 key whose kid is its thumbprint and whose alg fits its type, unique
// kids, dates in order, and exactly one active key, the newest. random is as
// for NewKeySet. Errors wrap ErrStored and never quote key material.
func UnmarshalKeySet(data []byte, random io.Reader) (*KeySet, error) {
	if random == nil {
		random = rand.Reader
	}
	if len(data) > MaxStoredBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d allowed", ErrStored, len(data), MaxStoredBytes)
	}
	var in stored
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("%w: not the JSON Marshal writes: %s", ErrStored, jsonProblem(err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the key set", ErrStored)
	}
	if in.Version != storageVersion {
		return nil, fmt.Errorf("%w: version %d, this gatehouse reads version %d", ErrStored, in.Version, storageVersion)
	}
	if len(in.Keys) == 0 || len(in.Keys) > MaxKeys {
		return nil, fmt.Errorf("%w: %d keys, want 1 to %d", ErrStored, len(in.Keys), MaxKeys)
	}
	keys := make([]*signingKey, 0, len(in.Keys))
	seen := map[string]bool{}
	for i, sk := range in.Keys {
		k, err := readKey(sk)
		if err != nil {
			return nil, fmt.Errorf("%w: key %d: %v", ErrStored, i, err)
		}
		if seen[k.info.ID] {
			return nil, fmt.Errorf("%w: key %d: kid %s appears twice", ErrStored, i, k.info.ID)
		}
		seen[k.info.ID] = true
		keys = append(keys, k)
	}
	// The active key is the newest; retired keys are kept oldest first.
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i].info, keys[j].info
		if a.Active() != b.Active() {
			return b.Active()
		}
		return a.CreatedAt.Before(b.CreatedAt)
	})
	active := 0
	for _, k := range keys {
		if k.info.Active() {
			active++
		}
	}
	if active != 1 {
		return nil, fmt.Errorf("%w: %d active keys (without retired_at), want exactly 1", ErrStored, active)
	}
	a := keys[len(keys)-1].info
	for _, k := range keys[:len(keys)-1] {
		if k.info.CreatedAt.After(a.CreatedAt) {
			return nil, fmt.Errorf("%w: retired key %s was created after the active key %s", ErrStored, k.info.ID, a.ID)
		}
	}
	return &KeySet{keys: keys, rand: random}, nil
}

// readKey checks and wraps one stored key.
func readKey(sk storedKey) (*signingKey, error) {
	if sk.CreatedAt.IsZero() {
		return nil, errors.New("no created_at")
	}
	if !sk.RetiredAt.IsZero() && sk.RetiredAt.Before(sk.CreatedAt) {
		return nil, errors.New("retired_at is before created_at")
	}
	if len(sk.JWK) == 0 {
		return nil, errors.New("no jwk")
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(sk.JWK); err != nil {
		// go-jose's messages name fields and types, never values.
		return nil, fmt.Errorf("jwk: %v", err)
	}
	if jwk.IsPublic() || !jwk.Valid() {
		return nil, errors.New("jwk is not a valid private key")
	}
	alg := Algorithm(jwk.Algorithm)
	var priv crypto.Signer
	switch p := jwk.Key.(type) {
	case ed25519.PrivateKey:
		if alg != EdDSA {
			return nil, fmt.Errorf("an Ed25519 key with alg %q, want %s", jwk.Algorithm, EdDSA)
		}
		priv = p
	case *ecdsa.PrivateKey:
		if p.Curve != elliptic.P256() {
			return nil, fmt.Errorf("an ECDSA key on %s, want P-256", p.Curve.Params().Name)
		}
		if alg != ES256 {
			return nil, fmt.Errorf("a P-256 key with alg %q, want %s", jwk.Algorithm, ES256)
		}
		priv = p
	default:
		return nil, fmt.Errorf("a %T key, want Ed25519 or P-256", jwk.Key)
	}
	if jwk.Use != "" && jwk.Use != "sig" {
		return nil, fmt.Errorf("use %q, want sig", jwk.Use)
	}
	k, err := keyFrom(priv, alg, sk.CreatedAt.UTC())
	if err != nil {
		return nil, err
	}
	if jwk.KeyID != k.info.ID {
		return nil, fmt.Errorf("kid %q is not the key's thumbprint %s", jwk.KeyID, k.info.ID)
	}
	if !sk.RetiredAt.IsZero() {
		k.info.RetiredAt = sk.RetiredAt.UTC()
		k.info.VerifiesUntil = k.info.RetiredAt.Add(MaxTokenLifetime + RetentionMargin)
	}
	return k, nil
}

// jsonProblem describes a decoding error without quoting the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type (%s, want %s)", typ.Field, typ.Value, typ.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end"
	default:
		// json's remaining messages (unknown field, bad time) name fields
		// and formats, not secret values.
		return err.Error()
	}
}
