package client

import (
	"context"
	"net/http"
	"time"
)

// Decision is a decision log entry (GET /v1/stores/{store}/decisions/{id}).
type Decision struct {
	// ID is the decision's ULID, the decision_id of its answer.
	ID       string         `json:"id"`
	Store    string         `json:"store"`
	Revision int64          `json:"revision"`
	At       time.Time      `json:"at"`
	Record   DecisionRecord `json:"record"`
}

// DecisionRecord holds every input of a logged decision (secrets
// excepted) and what came out of it.
type DecisionRecord struct {
	// Endpoint is "check", "batch" or "explain".
	Endpoint string `json:"endpoint"`
	// Caller is "admin" or "key:<id>".
	Caller  string        `json:"caller"`
	Subject LoggedSubject `json:"subject"`
	Action  string        `json:"action"`
	// Resource attributes, like all logged condition values, are lists of
	// strings.
	Resource LoggedResource      `json:"resource"`
	Context  map[string][]string `json:"context,omitempty"`
	IP       string              `json:"ip,omitempty"`
	Fields   []string            `json:"fields,omitempty"`
	// Time is the request time the decision used.
	Time     time.Time `json:"time"`
	Revision int64     `json:"revision"`
	// Roles are the roles the subject held, each with why.
	Roles          []HeldRole        `json:"roles"`
	Groups         []string          `json:"groups,omitempty"`
	Decision       string            `json:"decision"`
	Reason         string            `json:"reason"`
	Statements     []Statement       `json:"statements"`
	FieldDecisions map[string]string `json:"field_decisions,omitempty"`
}

// LoggedSubject is a subject as the caller gave it (or as its token was
// verified).
type LoggedSubject struct {
	// Type is "user", "app", "session" (an assumed-role session's
	// token), or "" for an anonymous subject.
	Type       string              `json:"type"`
	ID         string              `json:"id,omitempty"`
	Attributes map[string][]string `json:"attributes,omitempty"`
	Groups     []string            `json:"groups,omitempty"`
	// Roles are roles the caller asserted.
	Roles []string `json:"roles,omitempty"`
	// Claims are a token's verified claims (jwt:<claim>); never the
	// token itself.
	Claims map[string][]string `json:"claims,omitempty"`
	// Issuer is the trusted issuer a token subject came from.
	Issuer string `json:"issuer,omitempty"`
}

// LoggedResource is a resource as logged.
type LoggedResource struct {
	Name       string              `json:"name"`
	Type       string              `json:"type,omitempty"`
	Attributes map[string][]string `json:"attributes,omitempty"`
}

// GetDecision reads a decision of the store's log. A decision of another
// store, or older than the retention, is a 404 *Error.
func (s *Store) GetDecision(ctx context.Context, id string) (*Decision, error) {
	var out Decision
	if _, err := s.c.do(ctx, http.MethodGet, s.path("decisions/"+seg(id)), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Replay is a logged decision decided again: at its revision (Replay) and
// on the store's current state (Current), both at the logged time.
type Replay struct {
	DecisionID string       `json:"decision_id"`
	Logged     LoggedResult `json:"logged"`
	// Replay is the decision at the logged revision; it matches the log
	// unless gatehouse itself changed how it decides.
	Replay *Explanation `json:"replay"`
	// Current is what the current state decides on the same inputs.
	Current *Explanation `json:"current"`
	// Matches is whether Replay decides as logged.
	Matches bool `json:"matches"`
	// Changed is whether Current decides differently from the log.
	Changed bool `json:"changed"`
	// Differences say in words what differs between the log and Current
	// (decision, roles held then and not now, deciding statements).
	Differences []string `json:"differences"`
}

// LoggedResult is a decision as the log holds it.
type LoggedResult struct {
	Decision   string      `json:"decision"`
	Reason     string      `json:"reason"`
	Revision   int64       `json:"revision"`
	Time       time.Time   `json:"time"`
	Statements []Statement `json:"statements"`
	Roles      []string    `json:"roles"`
}

// ReplayDecision replays a logged decision (POST
// /v1/stores/{store}/decisions/{id}/explain). A revision older than the
// retention is a 410 *Error (code revision_pruned).
func (s *Store) ReplayDecision(ctx context.Context, id string) (*Replay, error) {
	var out Replay
	if _, err := s.c.do(ctx, http.MethodPost, s.path("decisions/"+seg(id)+"/explain"), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
