package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/engine"
)

// Limits on check requests (docs/api.md).
const (
	// maxBatch is the most checks in one batch (issue 3).
	maxBatch = 1000
	// maxFields is the most fields one check may ask about.
	maxFields = 1000
)

// checkRequest is the body of check and explain, and one item of a batch.
type checkRequest struct {
	Principal       *principalInput `json:"principal"`
	Token           *string         `json:"token"`
	Action          string          `json:"action"`
	Resource        *resourceInput  `json:"resource"`
	Context         valueMap        `json:"context"`
	Request         *requestInput   `json:"request"`
	Fields          []string        `json:"fields"`
	AtLeastRevision int64           `json:"at_least_revision"`
}

// principalInput is a caller-asserted subject (API.md §1). Type "user" or
// "app" with an id; "anonymous" (no id) for a subject with no identity,
// which holds $unauthenticated.
type principalInput struct {
	Type       string   `json:"type"`
	ID         string   `json:"id"`
	Attributes valueMap `json:"attributes"`
	// Roles are asserted roles: honoured only for callers allowed
	// gatehouse:AssertRoles (API.md §2).
	Roles []string `json:"roles"`
}

type resourceInput struct {
	Name       string   `json:"name"`
	Type       string   `json:"type"`
	Attributes valueMap `json:"attributes"`
}

type requestInput struct {
	IP string `json:"ip"`
}

// valueMap is a JSON object of condition values as decoded (numbers as
// json.Number: decodeBytes uses UseNumber); conditionValues converts it.
type valueMap map[string]any

// conditionValues converts decoded condition values: strings, numbers
// (kept as written), booleans, or flat lists of them (API.md §3). what
// names the object in errors ("context").
func conditionValues(what string, m valueMap) (map[string]engine.Values, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]engine.Values, len(m))
	for k, v := range m {
		vals, err := engine.ValuesOf(v)
		if err != nil {
			return nil, badRequest("%s.%s: %v", what, k, err)
		}
		out[k] = vals
	}
	return out, nil
}

// checkResponse answers a check, and is one result of a batch.
type checkResponse struct {
	Decision   string            `json:"decision"`
	Reason     engine.Reason     `json:"reason"`
	Revision   int64             `json:"revision"`
	DecisionID string            `json:"decision_id"`
	Fields     map[string]string `json:"fields,omitempty"`
}

// endpoint kinds, for metrics and decision log entries.
const (
	epCheck   = "check"
	epBatch   = "batch"
	epExplain = "explain"
)

// reservedContext are context key prefixes gatehouse fills itself (API.md
// §3) and keys that have their own place in the body.
var reservedContext = []string{"principal:", "jwt:", "resource:"}

// checkInput turns a decoded check into the directory's input: the subject
// (resolveSubject), the resource, context, fields and the request's time
// and address. Its errors are 400s, 403 (asserted roles) and 422 (tokens).
func (s *Server) checkInput(ctx context.Context, c *caller, storeID string, d *directory.Directory, req *checkRequest, now time.Time) (*directory.CheckInput, error) {
	subj, err := s.resolveSubject(ctx, c, storeID, d, req)
	if err != nil {
		return nil, err
	}
	if req.Action == "" {
		return nil, badRequest("action is required, e.g. \"orders:Read\"")
	}
	if req.Resource == nil || req.Resource.Name == "" {
		return nil, badRequest("resource.name is required, e.g. {\"resource\": {\"name\": \"orders:acme/17\"}}")
	}
	if req.AtLeastRevision < 0 {
		return nil, badRequest("at_least_revision must not be negative")
	}
	if len(req.Fields) > maxFields {
		return nil, badRequest("at most %d fields per check, not %d", maxFields, len(req.Fields))
	}
	for i, f := range req.Fields {
		if f == "" {
			return nil, badRequest("fields[%d] is empty", i)
		}
	}
	keys, err := conditionValues("context", req.Context)
	if err != nil {
		return nil, err
	}
	resAttrs, err := conditionValues("resource.attributes", req.Resource.Attributes)
	if err != nil {
		return nil, err
	}
	for k := range keys {
		lk := strings.ToLower(k)
		for _, p := range reservedContext {
			if strings.HasPrefix(lk, p) {
				return nil, badRequest("context key %q uses the reserved prefix %q: gatehouse fills %s keys itself (API.md §3); send principal and resource attributes in \"principal\" and \"resource\"", k, p, p)
			}
		}
		if lk == "request:time" || lk == "request:ip" {
			return nil, badRequest("context key %q is filled by gatehouse: request:time is the server's clock, request:ip comes from \"request\": {\"ip\": ...}", k)
		}
	}
	in := &directory.CheckInput{
		Subject:  subj,
		Action:   req.Action,
		Resource: engine.Resource{Name: req.Resource.Name, Type: req.Resource.Type, Attributes: resAttrs},
		Context:  keys,
		Fields:   req.Fields,
		Now:      now,
	}
	if req.Request != nil && req.Request.IP != "" {
		ip, err := netip.ParseAddr(req.Request.IP)
		if err != nil {
			return nil, badRequest("request.ip %q is not an IP address", req.Request.IP)
		}
		in.IP = ip.String()
	}
	if err := in.Validate(); err != nil {
		return nil, &httpError{status: http.StatusBadRequest, code: codeBadRequest, msg: err.Error(), cause: err}
	}
	return in, nil
}

// resolveSubject finds whom the decision is about: the principal the
// caller names, or a token gatehouse verifies. Exactly one of them
// (API.md §1).
func (s *Server) resolveSubject(ctx context.Context, c *caller, storeID string, d *directory.Directory, req *checkRequest) (directory.Subject, error) {
	switch {
	case req.Principal != nil && req.Token != nil:
		return directory.Subject{}, badRequest("give either principal or token, not both")
	case req.Token != nil:
		subj, _, err := s.verifyToken(ctx, storeID, d, *req.Token)
		return subj, err
	case req.Principal == nil:
		return directory.Subject{}, badRequest("principal is required: {\"principal\": {\"type\": \"user\", \"id\": \"1\"}} (or a token)")
	}
	p := req.Principal
	attrs, err := conditionValues("principal.attributes", p.Attributes)
	if err != nil {
		return directory.Subject{}, err
	}
	subj := directory.Subject{Type: p.Type, ID: p.ID, Attributes: attrs}
	switch p.Type {
	case "user", "app":
		if p.ID == "" {
			return subj, badRequest("principal.id is required for a %s", p.Type)
		}
	case "anonymous":
		if p.ID != "" {
			return subj, badRequest("an anonymous principal has no id")
		}
		subj.Type = ""
	case "":
		return subj, badRequest("principal.type is required: \"user\", \"app\" or \"anonymous\"")
	default:
		return subj, badRequest("principal.type must be \"user\", \"app\" or \"anonymous\", not %q", p.Type)
	}
	if len(p.Roles) > 0 {
		if !s.allowed(c, actAssertRoles, storeResource(storeID)) {
			return subj, forbidden("principal.roles asserts roles, which needs gatehouse:AssertRoles on %s; this API key (%s) lacks it — leave roles out and let gatehouse resolve them", storeResource(storeID), c)
		}
		for i, r := range p.Roles {
			if r == "" {
				return subj, badRequest("principal.roles[%d] is empty", i)
			}
		}
		subj.Roles = p.Roles
	}
	return subj, nil
}

// decide runs one decoded check against d and returns the answer, under
// id, with the record to log. It is shared by check and batch.
func (s *Server) decide(ctx context.Context, c *caller, storeID string, d *directory.Directory, req *checkRequest, endpoint string, now time.Time, id string) (*checkResponse, *decisionRecord, error) {
	in, err := s.checkInput(ctx, c, storeID, d, req, now)
	if err != nil {
		return nil, nil, err
	}
	res := d.Check(in)
	resp := &checkResponse{Decision: res.Decision.String(), Reason: res.Decision.Reason, Revision: d.Revision(), DecisionID: id}
	if len(req.Fields) > 0 {
		resp.Fields = fieldMap(res.Fields)
	}
	rec := &decisionRecord{
		endpoint: endpoint, caller: c.String(), in: in, resolution: res.Resolution,
		decision: res.Decision, fields: res.Fields, revision: d.Revision(),
	}
	return resp, rec, nil
}

func fieldMap(fds []engine.FieldDecision) map[string]string {
	m := make(map[string]string, len(fds))
	for _, fd := range fds {
		m[fd.Field] = fd.Decision.String()
	}
	return m
}

// readCheck is the common start of check and explain: authorize the caller
// for action on the store, decode the check body and take the snapshot at
// the revision it asks for.
func (s *Server) readCheck(r *http.Request, action string) (*caller, string, *checkRequest, *directory.Directory, error) {
	storeID := r.PathValue("store")
	c := callerOf(r)
	if err := s.authorize(c, action, storeResource(storeID)); err != nil {
		return c, storeID, nil, nil, err
	}
	req := new(checkRequest)
	body, err := readBody(r)
	if err != nil {
		return c, storeID, nil, nil, err
	}
	if err := decodeCheck(body, req); err != nil {
		return c, storeID, nil, nil, err
	}
	st, err := s.storeState(r.Context(), storeID)
	if err != nil {
		return c, storeID, nil, nil, err
	}
	d, err := s.atRevision(r.Context(), st, req.AtLeastRevision)
	return c, storeID, req, d, err
}

// handleCheck is POST /v1/stores/{store}/check.
func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	c, storeID, req, d, err := s.readCheck(r, actCheck)
	if err != nil {
		return err
	}
	now := s.now()
	resp, rec, err := s.decide(r.Context(), c, storeID, d, req, epCheck, now, "")
	if err != nil {
		return err
	}
	// The check joins its store's open group of the decision log, which
	// gives its id (decisionid.go).
	if resp.DecisionID, err = s.dlog.enqueueCheck(r.Context(), storeID, d.Revision(), now, rec); err != nil {
		return err
	}
	s.metrics.decision(epCheck, resp.Reason)
	writeJSON(w, http.StatusOK, resp)
	s.metrics.observe(epCheck, time.Since(start))
	return nil
}

// batchRequest is the body of check/batch.
type batchRequest struct {
	Checks []json.RawMessage `json:"checks"`
	// AtLeastRevision applies to the whole batch, as does the largest
	// at_least_revision of any item: one snapshot serves every item.
	AtLeastRevision int64 `json:"at_least_revision"`
}

// decodeBatch reads a batch body: its checks, each decoded or with the
// error that keeps it from being decided, and its at_least_revision. A
// body that is not a batch at all is an error.
func decodeBatch(r *http.Request) ([]checkRequest, []error, int64, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, nil, 0, err
	}
	items, atLeast, ok := decodeBatchFast(body)
	if ok {
		if atLeast < 0 {
			return nil, nil, 0, badRequest("at_least_revision must not be negative")
		}
		return items, make([]error, len(items)), atLeast, nil
	}
	var req batchRequest
	if err := decodeBytes(body, &req); err != nil {
		return nil, nil, 0, err
	}
	if req.Checks == nil {
		return nil, nil, 0, badRequest("checks is required: {\"checks\": [<check>, ...]}")
	}
	if len(req.Checks) > maxBatch {
		return nil, nil, 0, badRequest("a batch holds at most %d checks, not %d; split it", maxBatch, len(req.Checks))
	}
	if req.AtLeastRevision < 0 {
		return nil, nil, 0, badRequest("at_least_revision must not be negative")
	}
	items = make([]checkRequest, len(req.Checks))
	errs := make([]error, len(req.Checks))
	for i, raw := range req.Checks {
		errs[i] = decodeCheck(raw, &items[i])
	}
	return items, errs, req.AtLeastRevision, nil
}

// batchResult is one result of a batch: a decision, or the problem that
// kept the item from being decided.
type batchResult struct {
	*checkResponse
	Error *Problem `json:"error,omitempty"`
}

// handleBatch is POST /v1/stores/{store}/check/batch: up to maxBatch
// checks decided against one snapshot, results in order.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	storeID := r.PathValue("store")
	c := callerOf(r)
	if err := s.authorize(c, actCheck, storeResource(storeID)); err != nil {
		return err
	}
	items, errs, atLeast, err := decodeBatch(r)
	if err != nil {
		return err
	}
	st, err := s.storeState(r.Context(), storeID)
	if err != nil {
		return err
	}
	want := atLeast
	for i := range items {
		if errs[i] == nil {
			want = max(want, items[i].AtLeastRevision)
		}
	}
	d, err := s.atRevision(r.Context(), st, want)
	if err != nil {
		return err
	}
	// One log entry holds the batch; item i is member i of its group
	// (decisionid.go).
	now := s.now()
	group := newDecisionGroup(now)
	members := make([]json.Marshaler, len(items))
	results := make([]batchResult, len(items))
	decided := 0
	for i := range items {
		if errs[i] == nil {
			var rec *decisionRecord
			results[i].checkResponse, rec, errs[i] = s.decide(r.Context(), c, storeID, d, &items[i], epBatch, now, memberOf(group, i).String())
			if errs[i] == nil {
				members[i] = rec
				decided++
			}
		}
		if errs[i] != nil {
			p, fault := problemFor(errs[i])
			if fault {
				s.log.Error("batch item failed", "store", storeID, "item", i, "request_id", requestIDOf(r), "err", errs[i])
			}
			p.Detail = fmt.Sprintf("checks[%d]: %s", i, p.Detail)
			results[i].Error = &p
		}
	}
	if decided > 0 {
		if err := s.dlog.enqueue(r.Context(), logEntry{id: group.String(), store: storeID, revision: d.Revision(), at: now, members: members}); err != nil {
			return err
		}
		for i := range results {
			if results[i].checkResponse != nil {
				s.metrics.decision(epBatch, results[i].Reason)
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results, "revision": d.Revision()})
	s.metrics.observe(epBatch, time.Since(start))
	return nil
}
