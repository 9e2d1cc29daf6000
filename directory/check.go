package directory

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gatehouse.dev/gatehouse/engine"
)

// Context keys the directory fills from CheckInput.
const (
	// KeyRequestTime is request:time, from CheckInput.Now, in RFC 3339.
	KeyRequestTime = "request:time"
	// KeyRequestIP is request:ip, from CheckInput.IP.
	KeyRequestIP = "request:ip"
)

// reservedPrefixes are the condition key prefixes gatehouse fills itself;
// a check's context may not set them (API.md §3).
var reservedPrefixes = []string{"principal:", "jwt:", "resource:"}

// CheckInput is one check as the server received it.
type CheckInput struct {
	Subject  Subject
	Action   string
	Resource engine.Resource
	// Context holds the other condition keys, as given (no reserved
	// prefix: see CheckInput.Validate).
	Context map[string]engine.Values
	// Fields, when set, are decided too.
	Fields []string
	// Now is the request time (request:time, RFC 3339, UTC, to the
	// second); the zero time leaves the key as the context gives it.
	Now time.Time
	// IP is the end user's address (request:ip); "" leaves the key as the
	// context gives it.
	IP string
}

// Validate reports what the server must refuse (400) in a check: an
// unknown subject type, a subject without an id, a context key with a
// reserved prefix (principal:, jwt:, resource:) and a subject attribute
// that the structured keys would hide (id, type, roles, groups).
func (in *CheckInput) Validate() error {
	switch in.Subject.Type {
	case "", "user", "app", "session":
	default:
		return fmt.Errorf("principal type %s is not user or app", quote(in.Subject.Type))
	}
	if in.Subject.Type != "" && in.Subject.ID == "" {
		return fmt.Errorf("a %s principal needs an id", in.Subject.Type)
	}
	for k := range in.Context {
		for _, p := range reservedPrefixes {
			if len(k) >= len(p) && strings.EqualFold(k[:len(p)], p) {
				return fmt.Errorf("context key %s: the %s keys are filled by gatehouse from the principal, token and resource; send the value there instead", quote(k), p[:len(p)-1])
			}
		}
	}
	for k := range in.Subject.Attributes {
		for _, r := range reservedAttributes {
			if strings.EqualFold(k, r) {
				return fmt.Errorf("principal attribute %s would be hidden by the key principal:%s, which gatehouse fills itself: rename it", quote(k), r)
			}
		}
	}
	return nil
}

// CheckResult is a decision and everything the decision log needs.
type CheckResult struct {
	Decision engine.Decision
	// Fields are the field decisions, when fields were asked for.
	Fields []engine.FieldDecision
	// Resolution is the subject's roles with their provenance.
	Resolution *Resolution
	// Request is the exact request the engine decided.
	Request *engine.Request
	// Revision is the store revision of the directory that decided.
	Revision int64
}

// ExplainResult is a decision with its explanation.
type ExplainResult struct {
	// Explanation is the engine's: statements, trace, hints.
	Explanation *engine.Explanation
	// Resolution is every role with its provenance.
	Resolution *Resolution
	// Warnings are the directory warnings about this decision, such as a
	// LoopBack trap that decided it.
	Warnings []Warning
	Request  *engine.Request
	Revision int64
}

// Check decides in against the directory. d may be nil (an empty store).
func (d *Directory) Check(in *CheckInput) *CheckResult {
	res, req := d.request(in)
	out := &CheckResult{Resolution: res, Request: req}
	if d != nil {
		out.Revision = d.revision
	}
	eng := d.engine()
	if len(in.Fields) > 0 {
		out.Decision, out.Fields = eng.DecideFields(req, in.Fields, nil)
	} else {
		out.Decision = eng.Decide(req)
	}
	return out
}

// Explain decides in like Check and explains the decision, with the
// resolution and the directory warnings that concern it.
func (d *Directory) Explain(in *CheckInput) *ExplainResult {
	res, req := d.request(in)
	out := &ExplainResult{Resolution: res, Request: req, Warnings: []Warning{}}
	out.Explanation = d.engine().Explain(req, in.Fields)
	if d == nil {
		return out
	}
	out.Revision = d.revision
	decided := out.Explanation.Decision.By
	for _, t := range d.traps {
		if t.deny.is(decided) && holdsAny(res, t.roles) {
			out.Warnings = append(out.Warnings, t.warning())
		}
	}
	if out.Explanation.Decision.Reason == engine.ImplicitDeny && d.eng != nil {
		out.Warnings = append(out.Warnings, d.nearMisses(req)...)
	}
	return out
}

// engine returns the compiled engine, an empty one for a nil directory.
func (d *Directory) engine() *engine.Engine {
	if d == nil || d.eng == nil {
		return emptyEngine
	}
	return d.eng
}

var emptyEngine, _ = engine.Compile(nil)

// holdsAny reports whether the resolution holds one of roles.
func holdsAny(res *Resolution, roles []string) bool {
	for _, r := range roles {
		if _, ok := slices.BinarySearch(res.Roles, r); ok {
			return true
		}
	}
	return false
}

// request resolves the subject and builds the engine request.
// Permissions summarizes what the subject of req (from Request) may do
// (whoami): every Allow that applies with its patterns after
// substitution, and what limits it.
func (d *Directory) Permissions(req *engine.Request) *engine.Permissions {
	return d.engine().Permissions(req)
}

// Request resolves in's subject and returns the engine request a check of
// in decides, without deciding it (the identity inspector shows its
// variables).
func (d *Directory) Request(in *CheckInput) (*Resolution, *engine.Request) { return d.request(in) }

func (d *Directory) request(in *CheckInput) (*Resolution, *engine.Request) {
	if in == nil {
		in = &CheckInput{}
	}
	s := &in.Subject
	res := d.Resolve(s, in.Resource.Attributes)
	req := &engine.Request{
		Principal: engine.Principal{Type: s.Type, ID: s.ID, Roles: res.Roles, Groups: res.Groups,
			Attributes: mergeAttributes(s.Attributes, d.storedAttributes(s))},
		Action:   in.Action,
		Resource: in.Resource,
		Claims:   s.Claims,
		Context:  in.Context,
	}
	if !in.Now.IsZero() || in.IP != "" {
		ctx := make(map[string]engine.Values, len(in.Context)+2)
		for k, v := range in.Context {
			if (!in.Now.IsZero() && strings.EqualFold(k, KeyRequestTime)) || (in.IP != "" && strings.EqualFold(k, KeyRequestIP)) {
				continue
			}
			ctx[k] = v
		}
		if !in.Now.IsZero() {
			ctx[KeyRequestTime] = engine.Values{in.Now.UTC().Format(time.RFC3339)}
		}
		if in.IP != "" {
			ctx[KeyRequestIP] = engine.Values{in.IP}
		}
		req.Context = ctx
	}
	return res, req
}

// storedAttributes returns the stored user's or app's attributes, or a
// session's tags.
func (d *Directory) storedAttributes(s *Subject) map[string]engine.Values {
	if d == nil {
		return nil
	}
	switch s.Type {
	case "user":
		if u := d.users[s.ID]; u != nil {
			return u.attrs
		}
	case "app":
		if a := d.apps[s.ID]; a != nil {
			return a.attrs
		}
	case "session":
		if sess := d.Session(s.ID); sess != nil {
			return sess.attrs
		}
	}
	return nil
}

// mergeAttributes returns the given attributes with the stored ones filling
// the keys not given (compared ignoring case, as condition keys are). It
// returns one of the maps itself when the other is empty; the result is
// read-only.
func mergeAttributes(given, stored map[string]engine.Values) map[string]engine.Values {
	if len(stored) == 0 {
		return given
	}
	if len(given) == 0 {
		return stored
	}
	out := make(map[string]engine.Values, len(given)+len(stored))
	for k, v := range given {
		out[k] = v
	}
	lower := make(map[string]bool, len(given))
	for k := range given {
		lower[strings.ToLower(k)] = true
	}
	for k, v := range stored {
		if !lower[strings.ToLower(k)] {
			out[k] = v
		}
	}
	return out
}
