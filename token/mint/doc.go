// Package mint holds a store's signing keys and mints the access tokens
// gatehouse issues as that store's issuer (API.md §6: iss is
// <public url>/v1/stores/<store>).
//
// All cryptography is go-jose's (github.com/go-jose/go-jose/v4); this
// package only decides which key signs, which keys are published, when an
// old key may be forgotten, and what a token says.
//
// # Keys
//
// A [KeySet] has exactly one active key, which signs, and any number of
// retired keys (at most [MaxKeys] in all), which no longer sign but stay in
// the published JWKS until every token they can have signed has expired:
// a key retired at R verifies until R + [MaxTokenLifetime] +
// [RetentionMargin]. [KeySet.Rotate] retires the active key and makes a new
// one; [KeySet.Prune] forgets the keys past that time; [KeySet.Drop]
// forgets a retired key at once, for a key that leaked. Keys are Ed25519
// (EdDSA, the default) or P-256 (ES256); a key's id is its RFC 7638 JWK
// thumbprint (SHA-256, base64url).
//
// [KeySet.Marshal] and [UnmarshalKeySet] are the storage form, private keys
// included; everything else about a KeySet (String, Format, LogValue,
// MarshalJSON) shows key ids and dates only, so a KeySet that reaches a log
// or a response never carries a private key.
//
// # Tokens
//
// [KeySet.Mint] signs a JWT access token in the shape of RFC 9068: header
// {"alg", "kid", "typ": "at+jwt"}, and the claims
//
//	iss        Claims.Issuer (required): the store's issuer URL
//	sub        Claims.Subject (required): the subject's id, as API.md §2 names it
//	           (a local user's or app's plain id, "<issuer name>:<sub>" for a
//	           subject that came from an external token, the session id for
//	           an assume-role session)
//	aud        Claims.Audience (required): one string, or an array of several
//	client_id  Claims.ClientID (required): the API key (client) the token was issued to
//	iat, nbf   the minting time (whole seconds)
//	exp        iat + ttl, ttl at most MaxTokenLifetime
//	jti        128 random bits, base64url: the id revocation and introspection use
//
// and gatehouse's own claims, under the reserved prefix "gh:" (a policy sees
// them as jwt:gh:kind and jwt:gh:sid, API.md §3):
//
//	gh:kind    Claims.Kind (required): "user" (a local user or an externally
//	           authenticated person, from the password grant or token
//	           exchange), "app" (an API key, from client_credentials) or
//	           "session" (an assume-role session)
//	gh:sid     Claims.SessionID: the server-side session of an assume-role
//	           token; required when gh:kind is "session", refused otherwise
//	gh:idp     Claims.IdentityProvider: the trusted issuer (by name in the
//	           store) whose token a token exchange traded for this one
//	gh:sub     Claims.IdentityProviderSubject: that token's own "sub"
//
// Claims.Extra adds further claims (for example "scope" or "auth_time");
// it may not set any of the names above nor any other "gh:" name. Roles are
// deliberately not claims: they are resolved again at check time from the
// subject, so a removed role mapping takes effect at once (issue 4).
//
// # Durations
//
// [SessionDuration] applies AWS AssumeRole's DurationSeconds rules to
// assume-role: 15 minutes up to the role's maximum (1 hour unless the role
// says otherwise, at most 12 hours), 1 hour when not asked. Tokens from the
// token endpoint live [DefaultTokenTTL].
package mint
