package server

import (
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/engine"
)

// decisionRecord is a decision log entry as the request path leaves it:
// pointers to the decision's inputs and outputs, which nothing changes
// afterwards. The decision log writer marshals it (MarshalJSON) off the
// request path.
type decisionRecord struct {
	endpoint   string
	caller     string
	in         *directory.CheckInput
	resolution *directory.Resolution
	decision   engine.Decision
	// statements are the deciding statements of an explain; a check
	// logs decision.By.
	statements []engine.StatementRef
	fields     []engine.FieldDecision
	revision   int64
}

// recordJSON is the stored form of a decision log entry (the "record" of
// GET /v1/stores/{store}/decisions/{id}). It holds every input of the
// decision except secrets, so that replay can decide it again: the subject
// as the caller gave it (stored attributes and roles are resolved again at
// the logged revision), the action, resource, context, fields, address and
// time; and what came out: the roles with their provenance, the decision
// and the deciding statements.
type recordJSON struct {
	Endpoint string `json:"endpoint"`
	// Caller is "admin" or "key:<id>", never a secret.
	Caller         string            `json:"caller"`
	Subject        subjectJSON       `json:"subject"`
	Action         string            `json:"action"`
	Resource       resourceJSON      `json:"resource"`
	Context        valueMapJSON      `json:"context,omitempty"`
	IP             string            `json:"ip,omitempty"`
	Fields         []string          `json:"fields,omitempty"`
	Time           time.Time         `json:"time"`
	Revision       int64             `json:"revision"`
	Roles          []roleJSON        `json:"roles"`
	Groups         []string          `json:"groups,omitempty"`
	Decision       string            `json:"decision"`
	Reason         string            `json:"reason"`
	By             []statementJSON   `json:"statements"`
	FieldDecisions map[string]string `json:"field_decisions,omitempty"`
}

// statementJSON is a deciding statement as logged: engine.StatementRef
// with its kind and effect as text, so that it reads back.
type statementJSON struct {
	Policy   string `json:"file"`
	Kind     string `json:"kind"`
	Index    int    `json:"index"`
	Sid      string `json:"sid,omitempty"`
	Effect   string `json:"effect"`
	Attached string `json:"attached,omitempty"`
}

func statementsJSON(refs []engine.StatementRef) []statementJSON {
	out := make([]statementJSON, 0, len(refs))
	for _, r := range refs {
		out = append(out, statementJSON{Policy: r.Policy, Kind: r.Kind.String(), Index: r.Index, Sid: r.Sid,
			Effect: r.Effect.String(), Attached: r.Attached})
	}
	return out
}

// valueMapJSON marshals condition values as lists.
type valueMapJSON = map[string]engine.Values

type subjectJSON struct {
	// Type is "user", "app", or "" for an anonymous subject.
	Type       string       `json:"type"`
	ID         string       `json:"id,omitempty"`
	Attributes valueMapJSON `json:"attributes,omitempty"`
	Groups     []string     `json:"groups,omitempty"`
	// Roles are roles the caller asserted.
	Roles  []string     `json:"roles,omitempty"`
	Claims valueMapJSON `json:"claims,omitempty"`
	Issuer string       `json:"issuer,omitempty"`
}

type resourceJSON struct {
	Name       string       `json:"name"`
	Type       string       `json:"type,omitempty"`
	Attributes valueMapJSON `json:"attributes,omitempty"`
}

// roleJSON is one resolved role: its name, its provenance in words
// ("admin via role mapping 7: USER 1 → admin"), and the steps.
type roleJSON struct {
	Role string      `json:"role"`
	Via  string      `json:"via"`
	Path []grantJSON `json:"path"`
}

type grantJSON struct {
	Kind        string                 `json:"kind"`
	Role        string                 `json:"role"`
	From        string                 `json:"from,omitempty"`
	Mapping     *directory.RoleMapping `json:"mapping,omitempty"`
	Rule        *directory.ClaimRule   `json:"claim_rule,omitempty"`
	GroupSource string                 `json:"group_source,omitempty"`
	Text        string                 `json:"text"`
}

// rolesJSON renders a resolution's roles.
func rolesJSON(res *directory.Resolution) []roleJSON {
	out := []roleJSON{}
	if res == nil {
		return out
	}
	for _, rr := range res.Resolved {
		path := res.Path(rr.Role)
		rj := roleJSON{Role: rr.Role, Via: res.Why(rr.Role), Path: make([]grantJSON, 0, len(path))}
		for _, g := range path {
			rj.Path = append(rj.Path, grantJSON{Kind: g.Kind.String(), Role: g.Role, From: g.From, Mapping: g.Mapping,
				Rule: g.Rule, GroupSource: g.GroupSource, Text: g.String()})
		}
		out = append(out, rj)
	}
	return out
}

// subjectOf is the logged form of a subject.
func subjectOf(s directory.Subject) subjectJSON {
	return subjectJSON{Type: s.Type, ID: s.ID, Attributes: s.Attributes, Groups: s.Groups, Roles: s.Roles,
		Claims: s.Claims, Issuer: s.Issuer}
}

// input rebuilds the check input a record was decided from.
func (rj *recordJSON) input() *directory.CheckInput {
	return &directory.CheckInput{
		Subject: directory.Subject{Type: rj.Subject.Type, ID: rj.Subject.ID, Attributes: rj.Subject.Attributes,
			Groups: rj.Subject.Groups, Roles: rj.Subject.Roles, Claims: rj.Subject.Claims, Issuer: rj.Subject.Issuer},
		Action:   rj.Action,
		Resource: engine.Resource{Name: rj.Resource.Name, Type: rj.Resource.Type, Attributes: rj.Resource.Attributes},
		Context:  rj.Context,
		Fields:   rj.Fields,
		Now:      rj.Time,
		IP:       rj.IP,
	}
}
