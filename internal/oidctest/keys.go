package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// rsaBits is the size of the provider's RSA keys: the smallest size a
// verifier must accept, so tests exercise the common case.
const rsaBits = 2048

// signingKey is one key pair of the provider. It implements op.SigningKey
// (the private half, used to sign); publicKey is what the JWKS publishes.
type signingKey struct {
	id      string
	alg     jose.SignatureAlgorithm
	private crypto.Signer
}

var (
	_ op.SigningKey = (*signingKey)(nil)
	_ op.Key        = publicKey{}
)

// newSigningKey generates a key for alg. Its kid is the RFC 7638
// thumbprint of the public key, so every key has a different kid.
func newSigningKey(alg jose.SignatureAlgorithm) (*signingKey, error) {
	var (
		private crypto.Signer
		err     error
	)
	switch alg {
	case jose.RS256:
		private, err = rsa.GenerateKey(rand.Reader, rsaBits)
	case jose.ES256:
		private, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("oidctest: signing algorithm %q is not supported; use RS256 or ES256", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("oidctest: generating a %s key: %w", alg, err)
	}
	jwk := jose.JSONWebKey{Key: private.Public()}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("oidctest: key thumbprint: %w", err)
	}
	return &signingKey{id: base64.RawURLEncoding.EncodeToString(thumb), alg: alg, private: private}, nil
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Key() any                                    { return k.private }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is the public half of a signingKey, as op.Key.
type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return p.k.alg }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return p.k.private.Public() }
