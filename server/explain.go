package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/store"
)

// explanation is a decision with everything that explains it: the
// deciding statements, the subject's roles with their provenance, the
// directory's warnings about it (a LoopBack trap that decided it), and the
// engine's trace.
type explanation struct {
	Decision   string                `json:"decision"`
	Reason     engine.Reason         `json:"reason"`
	Revision   int64                 `json:"revision"`
	DecisionID string                `json:"decision_id,omitempty"`
	Fields     map[string]string     `json:"fields,omitempty"`
	Statements []engine.StatementRef `json:"statements"`
	// Subject is whom the decision is about, as resolved: for a token,
	// its issuer, namespaced id and every claim (the jwt: keys), so that
	// nobody has to guess what ${jwt:sub} holds.
	Subject  *subjectJSON  `json:"subject,omitempty"`
	Roles    []roleJSON    `json:"roles"`
	Groups   []string      `json:"groups"`
	Warnings []warning     `json:"warnings"`
	Trace    *engine.Trace `json:"trace,omitempty"`
}

func explanationOf(x *directory.ExplainResult, fields []string) *explanation {
	e := &explanation{Revision: x.Revision, Statements: []engine.StatementRef{}, Roles: rolesJSON(x.Resolution),
		Groups: []string{}, Warnings: directoryWarnings(x.Warnings)}
	if x.Explanation != nil {
		e.Decision = x.Explanation.Decision.String()
		e.Reason = x.Explanation.Decision.Reason
		e.Trace = x.Explanation.Trace
		if x.Explanation.Statements != nil {
			e.Statements = x.Explanation.Statements
		}
		if len(fields) > 0 {
			e.Fields = fieldMap(x.Explanation.Fields)
		}
	}
	if x.Resolution != nil && x.Resolution.Groups != nil {
		e.Groups = x.Resolution.Groups
	}
	if e.Warnings == nil {
		e.Warnings = []warning{}
	}
	return e
}

// handleExplain is POST /v1/stores/{store}/explain: a check with its full
// explanation. It is logged like a check.
func (s *Server) handleExplain(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	c, storeID, req, d, err := s.readCheck(r, actExplain)
	if err != nil {
		return err
	}
	now := s.now()
	in, err := s.checkInput(r.Context(), c, storeID, d, req, now)
	if err != nil {
		return err
	}
	x := d.Explain(in)
	resp := explanationOf(x, req.Fields)
	subj := subjectOf(in.Subject)
	resp.Subject = &subj
	resp.DecisionID = newDecisionGroup(now).String()
	if x.Explanation != nil {
		if err := s.dlog.enqueue(r.Context(), logEntry{id: resp.DecisionID, store: storeID, revision: x.Revision, at: now, record: &decisionRecord{
			endpoint: epExplain, caller: c.String(), in: in, resolution: x.Resolution, decision: x.Explanation.Decision,
			statements: resp.Statements, fields: x.Explanation.Fields, revision: x.Revision,
		}}); err != nil {
			return err
		}
		s.metrics.decision(epExplain, x.Explanation.Decision.Reason)
	}
	writeJSON(w, http.StatusOK, resp)
	s.metrics.observe(epExplain, time.Since(start))
	return nil
}

// decisionResource is "gatehouse:store/<store>/decision/<id>".
func decisionResource(storeID, id string) string { return objectResource(storeID, "decision", id) }

// getDecision reads a decision of a store's log. An entry may still wait
// in the writer's queue: when the store does not have it, the queue is
// flushed and the store asked again.
//
// A batch item is found in its batch's entry (decisionid.go). An id is
// first looked up as it is, so that entries logged under ids of any other
// form are found too.
func (s *Server) getDecision(ctx context.Context, storeID, id string) (*store.Decision, error) {
	d, err := s.lookupDecision(ctx, storeID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.dlog.flush(ctx)
		d, err = s.lookupDecision(ctx, storeID, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("no decision %q in store %q (decisions are kept for %s)", id, storeID, s.cfg.Retention)
	}
	return d, err
}

// lookupDecision reads decision id: the entry of that id, or the member of
// a batch's entry that id names.
func (s *Server) lookupDecision(ctx context.Context, storeID, id string) (*store.Decision, error) {
	group, index, ok := splitDecisionID(id)
	if !ok {
		return nil, store.ErrNotFound
	}
	d, err := s.store.GetDecision(ctx, storeID, id)
	if err == nil {
		index = 0
	} else if errors.Is(err, store.ErrNotFound) && index != 0 {
		d, err = s.store.GetDecision(ctx, storeID, group)
	}
	if err != nil {
		return nil, err
	}
	m, err := memberDecision(d, id, index)
	if err == nil && m == nil {
		err = store.ErrNotFound
	}
	return m, err
}

// handleGetDecision is GET /v1/stores/{store}/decisions/{id}.
func (s *Server) handleGetDecision(w http.ResponseWriter, r *http.Request) error {
	storeID, id := r.PathValue("store"), r.PathValue("id")
	if _, err := s.authorizedStore(r, actReadDec, decisionResource(storeID, id)); err != nil {
		return err
	}
	d, err := s.getDecision(r.Context(), storeID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// replayResponse answers a replay: the decision as logged, decided again
// at its revision and time, and decided at the current revision (with the
// logged time), with what differs.
type replayResponse struct {
	DecisionID string       `json:"decision_id"`
	Logged     loggedResult `json:"logged"`
	// Replay is the decision at the logged revision; it matches the log
	// unless gatehouse itself changed how it decides.
	Replay *explanation `json:"replay"`
	// Current is the decision the store's current state makes on the
	// same inputs.
	Current *explanation `json:"current"`
	// Matches is whether the replay decides as logged.
	Matches bool `json:"matches"`
	// Changed is whether the current state decides differently from
	// the log.
	Changed bool `json:"changed"`
	// Differences say in words what differs between the logged decision
	// and the current one (decision, reason, deciding statements, roles).
	Differences []string `json:"differences"`
}

type loggedResult struct {
	Decision   string          `json:"decision"`
	Reason     string          `json:"reason"`
	Revision   int64           `json:"revision"`
	Time       time.Time       `json:"time"`
	Statements []statementJSON `json:"statements"`
	Roles      []string        `json:"roles"`
}

// handleReplay is POST /v1/stores/{store}/decisions/{id}/explain: it
// rebuilds the store at the decision's revision (store.Load, Build),
// explains the logged inputs at the logged time, and compares with the
// current state. Needs gatehouse:ReadDecision on the decision and
// gatehouse:Explain on the store.
func (s *Server) handleReplay(w http.ResponseWriter, r *http.Request) error {
	storeID, id := r.PathValue("store"), r.PathValue("id")
	c := callerOf(r)
	if err := s.authorize(c, actReadDec, decisionResource(storeID, id)); err != nil {
		return err
	}
	if err := s.authorize(c, actExplain, storeResource(storeID)); err != nil {
		return err
	}
	st, err := s.storeState(r.Context(), storeID)
	if err != nil {
		return err
	}
	dec, err := s.getDecision(r.Context(), storeID, id)
	if err != nil {
		return err
	}
	var rj recordJSON
	if err := json.Unmarshal(dec.Record, &rj); err != nil {
		return fmt.Errorf("decision %s: the logged record does not read: %w", id, err)
	}
	snap, err := s.store.Load(r.Context(), storeID, dec.Revision)
	if err != nil {
		if errors.Is(err, store.ErrPruned) {
			return errorf(http.StatusGone, codeRevisionPruned, "revision %d of store %q is older than the retention keeps; the decision can be read but not replayed", dec.Revision, storeID)
		}
		return err
	}
	past, err := directory.Build(snap)
	if err != nil {
		return fmt.Errorf("rebuilding store %q at revision %d: %w", storeID, dec.Revision, err)
	}
	in := rj.input()
	replay := explanationOf(past.Explain(in), rj.Fields)
	in = rj.input()
	current := explanationOf(st.snapshot().Explain(in), rj.Fields)
	logged := loggedResult{Decision: rj.Decision, Reason: rj.Reason, Revision: rj.Revision, Time: rj.Time, Statements: rj.By, Roles: []string{}}
	for _, role := range rj.Roles {
		logged.Roles = append(logged.Roles, role.Role)
	}
	diffs := differences(logged, current)
	resp := replayResponse{DecisionID: id, Logged: logged, Replay: replay, Current: current,
		Matches:     replay.Decision == rj.Decision && replay.Reason.String() == rj.Reason,
		Changed:     current.Decision != rj.Decision || current.Reason.String() != rj.Reason,
		Differences: diffs}
	s.metrics.decision("replay", current.Reason)
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// differences lists what the current decision does differently from the
// logged one.
func differences(logged loggedResult, cur *explanation) []string {
	out := []string{}
	if logged.Decision != cur.Decision || logged.Reason != cur.Reason.String() {
		out = append(out, fmt.Sprintf("decision: %s (%s) at revision %d, %s (%s) now at revision %d",
			logged.Decision, logged.Reason, logged.Revision, cur.Decision, cur.Reason, cur.Revision))
	}
	curRoles := make([]string, 0, len(cur.Roles))
	for _, r := range cur.Roles {
		curRoles = append(curRoles, r.Role)
	}
	for _, r := range logged.Roles {
		if !slices.Contains(curRoles, r) {
			out = append(out, fmt.Sprintf("role %s: held then, not now", r))
		}
	}
	for _, r := range curRoles {
		if !slices.Contains(logged.Roles, r) {
			out = append(out, fmt.Sprintf("role %s: held now, not then", r))
		}
	}
	now := statementsJSON(cur.Statements)
	if logged.Decision == cur.Decision && !sameStatements(logged.Statements, now) && len(logged.Statements)+len(now) > 0 {
		out = append(out, fmt.Sprintf("deciding statements: %s then, %s now", statementList(logged.Statements), statementList(now)))
	}
	return out
}

func sameStatements(a, b []statementJSON) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Policy != b[i].Policy || a[i].Index != b[i].Index {
			return false
		}
	}
	return true
}

func statementList(refs []statementJSON) string {
	if len(refs) == 0 {
		return "none"
	}
	out := ""
	for i, r := range refs {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%s#%d", r.Policy, r.Index)
		if r.Sid != "" {
			out += " (" + r.Sid + ")"
		}
	}
	return out
}
