package server

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
	"gatehouse.dev/gatehouse/store"
	"gatehouse.dev/gatehouse/token"
	"gatehouse.dev/gatehouse/token/mint"
	"gatehouse.dev/gatehouse/token/password"
)

// checkIssuerBody checks a trusted issuer's body beyond what the directory
// checks: its keys (no RSA key under 2048 bits, no symmetric or private
// key), its algorithms and URLs, as package token will use them.
func checkIssuerBody(id string, body []byte) error {
	if _, _, err := directory.Decode(directory.KindIssuer, id, body); err != nil {
		return err
	}
	if _, fs, err := token.DecodeIssuer(id, body); err != nil {
		return invalid(fs.Errors(), "trusted issuer %q is not valid: %v", id, fs.Errors().Err())
	}
	return nil
}

// handleDiscovery is GET /v1/stores/{store}/.well-known/openid-configuration:
// the store's issuer metadata (RFC 8414 fields, at the OpenID location API.md
// §6 names). Public, like every issuer's.
func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) error {
	storeID := r.PathValue("store")
	if _, err := s.storeState(r.Context(), storeID); err != nil {
		return err
	}
	ks, err := s.keySet(r.Context(), storeID)
	if err != nil {
		return err
	}
	md, err := ks.Discovery(s.issuerURL(storeID))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, md)
	return nil
}

// handleJWKS is GET /v1/stores/{store}/.well-known/jwks.json: the public
// keys of every signing key still verifying. Public.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) error {
	storeID := r.PathValue("store")
	if _, err := s.storeState(r.Context(), storeID); err != nil {
		return err
	}
	ks, err := s.keySet(r.Context(), storeID)
	if err != nil {
		return err
	}
	b, err := ks.PublicJWKSJSON()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}

// selfIssuerResource is the resource of a store's own signing keys:
// gatehouse:store/<store>/issuer/gatehouse (managing them is writing the
// store's own issuer).
func selfIssuerResource(storeID string) string {
	return objectResource(storeID, directory.KindIssuer, directory.SelfIssuer)
}

// handleListSigningKeys is GET /v1/stores/{store}/signing-keys: the key ids,
// algorithms and lifetimes, never a private key.
func (s *Server) handleListSigningKeys(w http.ResponseWriter, r *http.Request) error {
	storeID := r.PathValue("store")
	if _, err := s.authorizedStore(r, "gatehouse:ReadIssuer", selfIssuerResource(storeID)); err != nil {
		return err
	}
	ks, err := s.keySet(r.Context(), storeID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"issuer": s.issuerURL(storeID), "keys": ks.Keys()})
	return nil
}

// handleRotateKeys is POST /v1/stores/{store}/signing-keys/rotate with an
// optional {"algorithm": "EdDSA"|"ES256"}: a new active key; the old one
// keeps verifying until its tokens have expired.
func (s *Server) handleRotateKeys(w http.ResponseWriter, r *http.Request) error {
	storeID := r.PathValue("store")
	if _, err := s.authorizedStore(r, "gatehouse:PutIssuer", selfIssuerResource(storeID)); err != nil {
		return err
	}
	var req struct {
		Algorithm string `json:"algorithm"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &req); err != nil {
			return err
		}
	}
	alg := mint.Algorithm(req.Algorithm)
	switch alg {
	case "":
		alg = mint.DefaultAlgorithm
	case mint.EdDSA, mint.ES256:
	default:
		return badRequest("algorithm %q is not offered: use EdDSA (the default) or ES256", req.Algorithm)
	}
	info, err := s.rotateKeys(r.Context(), storeID, alg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"active": info})
	return nil
}

// handlePutPassword is PUT /v1/stores/{store}/users/{id}/password with
// {"password": "..."}: the local user's password, stored as an argon2id
// hash (never returned, never logged). Authorized as writing the user.
func (s *Server) handlePutPassword(w http.ResponseWriter, r *http.Request) error {
	storeID, id := r.PathValue("store"), r.PathValue("id")
	st, err := s.authorizedStore(r, "gatehouse:PutUser", objectResource(storeID, directory.KindUser, id))
	if err != nil {
		return err
	}
	var req struct {
		Password *string `json:"password"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Password == nil {
		return badRequest("password is required: {\"password\": \"...\"}")
	}
	if err := password.CheckNew(*req.Password); err != nil {
		return errorf(http.StatusUnprocessableEntity, codeInvalid, "%v", err)
	}
	hash, err := password.Hash(*req.Password)
	if err != nil {
		return err
	}
	body, err := json.Marshal(directory.Credential{ID: id, Hash: hash})
	if err != nil {
		return err
	}
	res, err := s.commit(r.Context(), st, []store.Change{{Kind: directory.KindCredential, ID: id, Body: body}}, func(d *directory.Directory, _ []store.Change) error {
		if _, ok := d.Get(directory.KindUser, id); !ok {
			return notFound("no user %q in store %q: create the user first (PUT /v1/stores/%s/users/%s)", id, storeID, storeID, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.existed {
		status = http.StatusOK
	}
	writeJSON(w, status, writeResponse{Revision: res.revision})
	return nil
}

// handleDeletePassword is DELETE /v1/stores/{store}/users/{id}/password:
// the user can no longer log in with a password.
func (s *Server) handleDeletePassword(w http.ResponseWriter, r *http.Request) error {
	storeID, id := r.PathValue("store"), r.PathValue("id")
	st, err := s.authorizedStore(r, "gatehouse:PutUser", objectResource(storeID, directory.KindUser, id))
	if err != nil {
		return err
	}
	if st.snapshot().Credential(id) == "" {
		return notFound("user %q of store %q has no password", id, storeID)
	}
	res, err := s.commit(r.Context(), st, []store.Change{{Kind: directory.KindCredential, ID: id}}, nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, revisionResponse{Revision: res.revision})
	return nil
}

// assumeRoleRequest is the body of assume-role.
type assumeRoleRequest struct {
	Role            string          `json:"role"`
	SessionPolicy   json.RawMessage `json:"session_policy"`
	DurationSeconds int64           `json:"duration_seconds"`
	SessionTags     valueMap        `json:"session_tags"`
}

// handleAssumeRole is POST /v1/stores/{store}/assume-role: a session of a
// role, limited by a session policy, tagged, for a bounded time, and a
// token for it (the temporary credentials of AWS STS AssumeRole). The
// caller needs gatehouse:AssumeRole on the role, and the role's trust
// policy must allow the caller (an app principal named by its API key's
// id; the admin key bypasses both).
func (s *Server) handleAssumeRole(w http.ResponseWriter, r *http.Request) error {
	storeID := r.PathValue("store")
	c := callerOf(r)
	body, err := readBody(r)
	if err != nil {
		return err
	}
	// Authorization comes first, as everywhere: the role it is about is
	// read from the body without judging the body, which is decoded
	// strictly once the caller may assume roles at all.
	var peek struct {
		Role any `json:"role"`
	}
	_ = json.Unmarshal(body, &peek)
	roleName, _ := peek.Role.(string)
	if err := s.authorize(c, "gatehouse:AssumeRole", objectResource(storeID, directory.KindRole, roleName)); err != nil {
		return err
	}
	var req assumeRoleRequest
	if err := decodeBytes(body, &req); err != nil {
		return err
	}
	if req.Role == "" {
		return badRequest("role is required: {\"role\": \"tenant-admin\"}")
	}
	st, err := s.storeState(r.Context(), storeID)
	if err != nil {
		return err
	}
	d := st.snapshot()
	o, ok := d.Get(directory.KindRole, req.Role)
	if !ok {
		return notFound("no role %q in store %q", req.Role, storeID)
	}
	role := o.Object.(*directory.Role)
	if !c.admin {
		if err := s.trustAllows(c, storeID, role); err != nil {
			return err
		}
	}
	var roleMax time.Duration
	if role.MaxSessionSeconds > 0 {
		roleMax = time.Duration(role.MaxSessionSeconds) * time.Second
	}
	// Seconds beyond any session's length are refused before they are
	// multiplied into a Duration, which could overflow into the range.
	requested := min(max(req.DurationSeconds, -1), directory.MaxSessionSeconds+1)
	dur, err := mint.SessionDuration(time.Duration(requested)*time.Second, roleMax)
	if err != nil {
		return errorf(http.StatusUnprocessableEntity, codeInvalid, "duration_seconds %d: %v", req.DurationSeconds, err)
	}
	tags, err := conditionValues("session_tags", req.SessionTags)
	if err != nil {
		return err
	}
	if err := (&directory.CheckInput{Subject: directory.Subject{Type: "session", ID: "x", Attributes: tags}}).Validate(); err != nil {
		return badRequest("session_tags: %v", err)
	}
	if len(req.SessionPolicy) > 0 && string(req.SessionPolicy) != "null" {
		if _, fs := policy.Load("session_policy", req.SessionPolicy, policy.KindSession); fs.HasErrors() {
			return invalid(fs.Errors(), "the session policy is not valid: %v", fs.Errors().Err())
		}
	} else {
		req.SessionPolicy = nil
	}
	now := s.now()
	sid := newSessionID()
	sess := directory.Session{ID: sid, Role: req.Role, Policy: req.SessionPolicy, Source: c.String(),
		CreatedAt: now.UTC(), ExpiresAt: now.Add(dur).UTC()}
	if len(req.SessionTags) > 0 {
		sess.Attributes = req.SessionTags
	}
	stored, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	res, err := s.commit(r.Context(), st, []store.Change{{Kind: directory.KindSession, ID: sid, Body: stored}}, nil)
	if err != nil {
		return err
	}
	t, err := s.mintToken(r.Context(), storeID, mint.Claims{Subject: sid, ClientID: c.clientID(), Kind: mint.KindSession, SessionID: sid}, dur)
	if err != nil {
		return err
	}
	resp := newTokenResponse(t)
	resp.ExpiresAt, resp.SessionID, resp.Revision = t.ExpiresAt, sid, res.revision
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// trustAllows evaluates a role's trust policy for the caller: an app
// principal named by its API key's id or, failing that, by the key's name
// (names are set by whoever may create keys, which is admin-equivalent),
// asking gatehouse:AssumeRole on the role. A role without a trust policy
// can be assumed by nobody but the admin (as in IAM, where every role has
// one).
func (s *Server) trustAllows(c *caller, storeID string, role *directory.Role) error {
	doc := role.Trust()
	if doc == nil {
		return forbidden("role %q has no trust policy, so no API key may assume it: give it a trust_policy naming who may (e.g. {\"Principal\": {\"App\": [\"%s\"]}})", role.Name, c.keyID)
	}
	eng, err := engine.Compile([]engine.Policy{{Name: "trust_policy", Kind: policy.KindTrust, Doc: doc}})
	if err != nil {
		return err
	}
	ids := []string{c.keyID}
	if k := s.system.Load().keys[c.keyID]; k != nil && k.name != "" && k.name != c.keyID {
		ids = append(ids, k.name)
	}
	var last engine.Reason
	for _, id := range ids {
		req := &engine.Request{Principal: engine.Principal{Type: "app", ID: id}, Action: "gatehouse:AssumeRole",
			Resource: engine.Resource{Name: objectResource(storeID, directory.KindRole, role.Name)}}
		d := eng.Decide(req)
		if d.Reason == engine.Allowed {
			return nil
		}
		last = d.Reason
		if d.Reason == engine.ExplicitDeny {
			break
		}
	}
	return forbidden("the trust policy of role %q does not allow this API key (app %q) to assume it (%s)", role.Name, c.keyID, last)
}

// newSessionID returns 128 random bits in hex.
func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
