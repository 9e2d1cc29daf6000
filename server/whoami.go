package server

import (
	"net/http"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/engine"
)

// whoamiResponse is the identity inspector's answer: what a token proves,
// whom it makes the principal, every role with where it came from, every
// variable a policy can use with its value.
type whoamiResponse struct {
	Store     string            `json:"store"`
	Revision  int64             `json:"revision"`
	Token     whoamiToken       `json:"token"`
	Claims    map[string]any    `json:"claims"`
	Principal subjectJSON       `json:"principal"`
	Roles     []roleJSON        `json:"roles"`
	Groups    []string          `json:"groups"`
	Variables []engine.Variable `json:"variables"`
	// Permissions is what the principal may do: each applicable Allow
	// after substitution, the limits that cut into it, the conditions
	// left open; Text says the same in words.
	Permissions *engine.Permissions `json:"permissions"`
	Text        string              `json:"text"`
}

// whoamiToken is what verification found about the token (never the token).
type whoamiToken struct {
	IssuerName string    `json:"issuer_name"`
	Issuer     string    `json:"issuer"`
	Subject    string    `json:"subject"`
	KeyID      string    `json:"kid,omitempty"`
	ID         string    `json:"jti,omitempty"`
	IssuedAt   time.Time `json:"issued_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// handleWhoami is POST /v1/stores/{store}/whoami with {"token": "..."}: the
// identity inspector (issue 4). It needs gatehouse:Explain on the store. A
// token that does not verify is a 422 with its code, as in a check.
func (s *Server) handleWhoami(w http.ResponseWriter, r *http.Request) error {
	storeID := r.PathValue("store")
	c := callerOf(r)
	if err := s.authorize(c, actExplain, storeResource(storeID)); err != nil {
		return err
	}
	var req struct {
		Token           *string `json:"token"`
		AtLeastRevision int64   `json:"at_least_revision"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Token == nil || *req.Token == "" {
		return badRequest("token is required: {\"token\": \"<jwt>\"}")
	}
	st, err := s.storeState(r.Context(), storeID)
	if err != nil {
		return err
	}
	d, err := s.atRevision(r.Context(), st, req.AtLeastRevision)
	if err != nil {
		return err
	}
	subj, v, err := s.verifyToken(r.Context(), storeID, d, *req.Token)
	if err != nil {
		return err
	}
	res, er := d.Request(&directory.CheckInput{Subject: subj})
	resp := whoamiResponse{Store: storeID, Revision: d.Revision(), Claims: v.Claims, Principal: subjectOf(subj),
		Roles: rolesJSON(res), Groups: res.Groups, Variables: engine.RequestVariables(er), Permissions: d.Permissions(er),
		Token: whoamiToken{IssuerName: v.IssuerName, Issuer: v.Issuer, Subject: v.Subject, KeyID: v.KeyID, ID: v.ID,
			IssuedAt: v.IssuedAt, ExpiresAt: v.ExpiresAt}}
	resp.Principal.Claims = nil // shown whole in claims
	if v.IssuerName == directory.SelfIssuer {
		resp.Token.Subject = v.PrincipalValue // its own tokens' subjects are not namespaced
	}
	resp.Text = resp.Permissions.String()
	if resp.Groups == nil {
		resp.Groups = []string{}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
