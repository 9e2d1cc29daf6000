package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
	"gatehouse.dev/gatehouse/store"
	"gatehouse.dev/gatehouse/token"
	"gatehouse.dev/gatehouse/token/mint"
)

// API keys live in the system scope (store.SystemScope) as objects of kind
// "key": a name, the key's policy, and the SHA-256 of its secret. The
// secret itself is shown once, when the key is created.
const kindKey = "key"

// Key format: "ghk_<id>_<secret>", id 16 lower-case hex digits, secret 256
// random bits in unpadded base64url. The id makes lookup direct; the
// secret is compared as a hash in constant time.
const (
	keyPrefix      = "ghk_"
	keyIDBytes     = 8
	keySecretBytes = 32
	// maxKeyName bounds a key's name.
	maxKeyName = 128
)

// isKeyID reports whether s is 16 lower-case hex digits.
func isKeyID(s string) bool {
	if len(s) != 2*keyIDBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// parseKey splits "ghk_<id>_<secret>".
func parseKey(token string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(token, keyPrefix)
	if !ok {
		return "", token, false
	}
	id, secret, ok = strings.Cut(rest, "_")
	if !ok || !isKeyID(id) || secret == "" {
		return "", token, false
	}
	return id, secret, true
}

// keyRecord is a key as stored.
type keyRecord struct {
	Name         string          `json:"name"`
	Policy       json.RawMessage `json:"policy"`
	SecretSHA256 string          `json:"secret_sha256"`
	CreatedAt    time.Time       `json:"created_at"`
}

// apiKey is a key as the server holds it in memory.
type apiKey struct {
	id        string
	name      string
	hash      [sha256.Size]byte
	policy    json.RawMessage
	createdAt time.Time
}

// systemState is the compiled system scope at one revision: the keys and
// one engine holding every key's policy, each attached to its key (as an
// app principal whose id is the key id).
type systemState struct {
	rev    int64
	keys   map[string]*apiKey
	engine *engine.Engine
	// signers are the stores' signing keys (identity.go), by store, and
	// selfIssuers the stores as issuers of their own tokens (their
	// public keys inline), made once per system revision.
	signers     map[string]*mint.KeySet
	selfIssuers map[string]token.Issuer
	// bad lists keys skipped because their record no longer reads; they
	// authenticate nobody.
	bad []string
}

// buildSystem compiles the system scope. A key whose record or policy does
// not read is left out (it then fails authentication: fail closed) and
// named in bad.
func buildSystem(snap *store.Snapshot, publicURL string) *systemState {
	st := &systemState{rev: snap.Revision, keys: map[string]*apiKey{}, signers: map[string]*mint.KeySet{},
		selfIssuers: map[string]token.Issuer{}}
	var pols []engine.Policy
	for _, o := range snap.Objects {
		if o.Kind == kindSigningKeys {
			ks, err := mint.UnmarshalKeySet(o.Body, nil)
			if err != nil {
				st.bad = append(st.bad, "signing keys of store "+o.ID+": "+err.Error())
				continue
			}
			jwks, err := ks.PublicJWKSJSON()
			if err != nil {
				st.bad = append(st.bad, "signing keys of store "+o.ID+": "+err.Error())
				continue
			}
			st.signers[o.ID] = ks
			st.selfIssuers[o.ID] = token.Issuer{Name: directory.SelfIssuer, Issuer: publicURL + "/v1/stores/" + o.ID,
				Audiences: []string{publicURL + "/v1/stores/" + o.ID}, JWKS: jwks, Algorithms: ks.Algorithms(), PrincipalClaim: "sub"}
			continue
		}
		if o.Kind != kindKey {
			continue
		}
		var rec keyRecord
		if err := json.Unmarshal(o.Body, &rec); err != nil {
			st.bad = append(st.bad, o.ID+": "+err.Error())
			continue
		}
		sum, err := hex.DecodeString(rec.SecretSHA256)
		if err != nil || len(sum) != sha256.Size {
			st.bad = append(st.bad, o.ID+": bad secret hash")
			continue
		}
		doc, fs := policy.Load("key/"+o.ID, rec.Policy, policy.KindIdentity)
		if doc == nil || fs.HasErrors() {
			st.bad = append(st.bad, o.ID+": "+fs.Err().Error())
			continue
		}
		k := &apiKey{id: o.ID, name: rec.Name, policy: rec.Policy, createdAt: rec.CreatedAt}
		copy(k.hash[:], sum)
		st.keys[o.ID] = k
		pols = append(pols, engine.Policy{Name: "key/" + o.ID, Kind: policy.KindIdentity, Doc: doc,
			Attach: engine.Attachment{Kind: engine.AttachApp, ID: o.ID}})
	}
	e, err := engine.Compile(pols)
	if err != nil {
		// One policy failed to compile although it validated: compile
		// each alone to find it, and leave it out.
		var good []engine.Policy
		for _, p := range pols {
			if _, err := engine.Compile([]engine.Policy{p}); err != nil {
				st.bad = append(st.bad, p.Attach.ID+": "+err.Error())
				delete(st.keys, p.Attach.ID)
				continue
			}
			good = append(good, p)
		}
		e, _ = engine.Compile(good)
	}
	st.engine = e
	return st
}

// reloadSystem loads the system scope if it moved past what is in memory.
func (s *Server) reloadSystem(ctx context.Context) error {
	s.sysMu.Lock()
	defer s.sysMu.Unlock()
	return s.reloadSystemLocked(ctx)
}

func (s *Server) reloadSystemLocked(ctx context.Context) error {
	snap, err := s.store.Load(ctx, store.SystemScope, 0)
	if err != nil {
		return fmt.Errorf("loading the system scope: %w", err)
	}
	if cur := s.system.Load(); cur != nil && cur.rev >= snap.Revision {
		return nil
	}
	st := buildSystem(snap, s.cfg.PublicURL)
	for _, b := range st.bad {
		s.log.Error("API key left out: its stored record does not read", "key", b)
	}
	s.system.Store(st)
	return nil
}

// commitSystem commits changes to the system scope and swaps in the new
// state before returning, retrying on concurrent writers.
func (s *Server) commitSystem(ctx context.Context, changes []store.Change) (int64, error) {
	s.sysMu.Lock()
	defer s.sysMu.Unlock()
	for attempt := 0; ; attempt++ {
		cur := s.system.Load()
		rev, err := s.store.Commit(ctx, store.SystemScope, cur.rev, changes)
		if err == nil {
			if err := s.reloadSystemLocked(ctx); err != nil {
				return 0, err
			}
			return rev, nil
		}
		if !isConflict(err) || attempt >= maxCommitAttempts {
			return 0, err
		}
		if err := s.reloadSystemLocked(ctx); err != nil {
			return 0, err
		}
	}
}

// keyInfo is a key as GET /v1/keys shows it (never the secret).
type keyInfo struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Policy    json.RawMessage `json:"policy"`
	CreatedAt time.Time       `json:"created_at"`
}

func (k *apiKey) info() keyInfo {
	return keyInfo{ID: k.id, Name: k.name, Policy: k.policy, CreatedAt: k.createdAt}
}

// createKeyRequest is the body of POST /v1/keys.
type createKeyRequest struct {
	Name   string          `json:"name"`
	Policy json.RawMessage `json:"policy"`
}

// createKeyResponse is shown once: it holds the secret.
type createKeyResponse struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Secret   string          `json:"secret"`
	Warnings policy.Findings `json:"warnings,omitempty"`
}

// handleCreateKey is POST /v1/keys.
func (s *Server) handleCreateKey(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	if err := s.authorize(c, "gatehouse:PutKey", keyResource("*")); err != nil {
		return err
	}
	var req createKeyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Name == "" || len(req.Name) > maxKeyName || strings.ContainsFunc(req.Name, isControl) {
		return badRequest("name is required: 1 to %d characters, no control characters", maxKeyName)
	}
	if len(req.Policy) == 0 || string(req.Policy) == "null" {
		return badRequest("policy is required: the gatehouse policy document that says what the key may do")
	}
	doc, fs := policy.Load("policy", req.Policy, policy.KindIdentity)
	if doc == nil || fs.HasErrors() {
		return invalid(fs, "the key's policy has errors")
	}
	if _, err := engine.Compile([]engine.Policy{{Name: "policy", Kind: policy.KindIdentity, Doc: doc}}); err != nil {
		return invalid(fs, "the key's policy does not compile: %v", err)
	}
	idb := make([]byte, keyIDBytes)
	secret := make([]byte, keySecretBytes)
	if _, err := rand.Read(idb); err != nil {
		return err
	}
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	id := hex.EncodeToString(idb)
	secretText := base64.RawURLEncoding.EncodeToString(secret)
	sum := sha256.Sum256([]byte(secretText))
	rec := keyRecord{Name: req.Name, Policy: req.Policy, SecretSHA256: hex.EncodeToString(sum[:]), CreatedAt: s.now().UTC()}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := s.commitSystem(r.Context(), []store.Change{{Kind: kindKey, ID: id, Body: body}}); err != nil {
		return err
	}
	s.log.Info("API key created", "key", id, "name", req.Name, "by", c.String())
	writeJSON(w, http.StatusCreated, createKeyResponse{ID: id, Name: req.Name, Secret: keyPrefix + id + "_" + secretText, Warnings: warningsOnly(fs)})
	return nil
}

// handleListKeys is GET /v1/keys.
func (s *Server) handleListKeys(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorize(callerOf(r), "gatehouse:ReadKey", keyResource("*")); err != nil {
		return err
	}
	sys := s.system.Load()
	items := make([]keyInfo, 0, len(sys.keys))
	for _, k := range sys.keys {
		items = append(items, k.info())
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	page, err := paginate(r, items, func(k keyInfo) string { return k.ID })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// handleGetKey is GET /v1/keys/{id}.
func (s *Server) handleGetKey(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.authorize(callerOf(r), "gatehouse:ReadKey", keyResource(id)); err != nil {
		return err
	}
	k := s.system.Load().keys[id]
	if k == nil {
		return notFound("no API key %q", id)
	}
	writeJSON(w, http.StatusOK, k.info())
	return nil
}

// handleDeleteKey is DELETE /v1/keys/{id}.
func (s *Server) handleDeleteKey(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	id := r.PathValue("id")
	if err := s.authorize(c, "gatehouse:DeleteKey", keyResource(id)); err != nil {
		return err
	}
	if s.system.Load().keys[id] == nil {
		return notFound("no API key %q", id)
	}
	rev, err := s.commitSystem(r.Context(), []store.Change{{Kind: kindKey, ID: id}})
	if err != nil {
		return err
	}
	s.log.Info("API key deleted", "key", id, "by", c.String())
	writeJSON(w, http.StatusOK, revisionResponse{Revision: rev})
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// warningsOnly returns the warnings of fs, or nil.
func warningsOnly(fs policy.Findings) policy.Findings {
	var out policy.Findings
	for _, f := range fs {
		if f.Severity == policy.SeverityWarning {
			out = append(out, f)
		}
	}
	return out
}
