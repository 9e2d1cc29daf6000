package offline

import (
	"fmt"
	"slices"
	"strings"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/internal/input"
)

// Request is a request file: the question for the engine and the fields
// of the resource to decide too.
type Request struct {
	Engine engine.Request
	// Fields are field names ("email", "address.city"), each decided as
	// the same action on "<resource name>#<field>" (API.md §5).
	Fields []string
}

// Principal types a request may name (API.md §2); "session" is the type
// of gatehouse-issued session tokens.
var principalTypes = []string{"user", "app", "session"}

// ParseRequest reads a request file (JSON or YAML). Every problem is
// reported, each with file:line:col; unknown fields are errors.
func ParseRequest(file string, data []byte) (*Request, error) {
	n, err := input.Parse(file, data)
	if err != nil {
		return nil, err
	}
	d := &input.Decoder{File: file}
	r := DecodeRequest(d, n, "request")
	if err := d.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// DecodeRequest decodes the request at n, recording problems in d. what
// names n in messages ("request", "cases[2].request"). The result is only
// meaningful when d has no errors.
func DecodeRequest(d *input.Decoder, n *input.Node, what string) *Request {
	r := &Request{}
	if !d.Object(n, what, "principal", "claims", "action", "resource", "fields", "context") {
		return r
	}
	if p := n.Get("principal"); p != nil {
		r.Engine.Principal = decodePrincipal(d, p, what+".principal")
	}
	if c := n.Get("claims"); c != nil {
		r.Engine.Claims = decodeClaims(d, c, what+".claims")
	}
	if a := n.Get("action"); a == nil {
		d.Errorf(n, "%s: missing \"action\", e.g. \"action\": \"s3:GetObject\"", what)
	} else if s, ok := d.String(a, what+".action"); ok {
		if s == "" {
			d.Errorf(a, "%s.action: empty; name the action, e.g. \"s3:GetObject\"", what)
		}
		r.Engine.Action = s
	}
	if res := n.Get("resource"); res == nil {
		d.Errorf(n, "%s: missing \"resource\", e.g. \"resource\": \"arn:aws:s3:::mybucket/key\"", what)
	} else {
		r.Engine.Resource = decodeResource(d, res, what+".resource")
	}
	if f := n.Get("fields"); f != nil {
		r.Fields = decodeFields(d, f, what+".fields")
	}
	if c := n.Get("context"); c != nil {
		r.Engine.Context = decodeValueMap(d, c, what+".context")
	}
	return r
}

func decodePrincipal(d *input.Decoder, n *input.Node, what string) engine.Principal {
	p := engine.Principal{Type: "user"}
	if n.Kind == input.String {
		if n.Text == "" {
			d.Errorf(n, "%s: empty id; leave \"principal\" out for an anonymous request", what)
		}
		p.ID = n.Text
		return p
	}
	if n.Kind != input.Object {
		d.Errorf(n, "%s: want an id string or an object {\"type\", \"id\", \"roles\", \"groups\", \"attributes\"}, got %s", what, n.Kind)
		return p
	}
	d.Object(n, what, "type", "id", "roles", "groups", "attributes")
	if t := n.Get("type"); t != nil {
		if s, ok := d.String(t, what+".type"); ok {
			if !slices.Contains(principalTypes, s) {
				d.Errorf(t, "%s.type: %q is not a principal type: use %s", what, s, strings.Join(principalTypes, ", "))
			}
			p.Type = s
		}
	}
	if id := n.Get("id"); id == nil {
		d.Errorf(n, "%s: missing \"id\"", what)
	} else if s, ok := d.String(id, what+".id"); ok {
		if s == "" {
			d.Errorf(id, "%s.id: empty", what)
		}
		p.ID = s
	}
	if rs := n.Get("roles"); rs != nil {
		p.Roles, _ = d.Strings(rs, what+".roles")
		if p.Roles == nil {
			p.Roles = []string{}
		}
	}
	if gs := n.Get("groups"); gs != nil {
		p.Groups, _ = d.Strings(gs, what+".groups")
		if p.Groups == nil {
			p.Groups = []string{}
		}
	}
	if a := n.Get("attributes"); a != nil {
		p.Attributes = decodeValueMap(d, a, what+".attributes")
	}
	return p
}

func decodeResource(d *input.Decoder, n *input.Node, what string) engine.Resource {
	var r engine.Resource
	if n.Kind == input.String {
		if n.Text == "" {
			d.Errorf(n, "%s: empty name", what)
		}
		r.Name = n.Text
		return r
	}
	if n.Kind != input.Object {
		d.Errorf(n, "%s: want a name string or an object {\"name\", \"type\", \"attributes\"}, got %s", what, n.Kind)
		return r
	}
	d.Object(n, what, "name", "type", "attributes")
	if name := n.Get("name"); name == nil {
		d.Errorf(n, "%s: missing \"name\"", what)
	} else if s, ok := d.String(name, what+".name"); ok {
		if s == "" {
			d.Errorf(name, "%s.name: empty", what)
		}
		r.Name = s
	}
	if t := n.Get("type"); t != nil {
		r.Type, _ = d.String(t, what+".type")
	}
	if a := n.Get("attributes"); a != nil {
		r.Attributes = decodeValueMap(d, a, what+".attributes")
	}
	return r
}

func decodeFields(d *input.Decoder, n *input.Node, what string) []string {
	if n.Kind != input.List {
		d.Errorf(n, "%s: want a list of field names, got %s", what, n.Kind)
		return nil
	}
	fields, _ := d.Strings(n, what)
	seen := map[string]bool{}
	for i, f := range fields {
		switch {
		case f == "":
			d.Errorf(n.Items[i], "%s[%d]: empty field name", what, i)
		case seen[f]:
			d.Errorf(n.Items[i], "%s[%d]: %q listed twice", what, i, f)
		}
		seen[f] = true
	}
	return fields
}

// decodeClaims flattens the claims object as the server flattens a token's
// claims (engine.FlattenClaims).
func decodeClaims(d *input.Decoder, n *input.Node, what string) map[string]engine.Values {
	if n.Kind != input.Object {
		d.Errorf(n, "%s: want an object of claims, got %s", what, n.Kind)
		return nil
	}
	claims, err := engine.FlattenClaims(input.Value(n).(map[string]any))
	if err != nil {
		d.Errorf(n, "%s: %v", what, err)
	}
	return claims
}

// decodeValueMap decodes an object of condition values. The engine matches
// these keys case-insensitively, so two keys that differ only in case are
// an error rather than a silent choice.
func decodeValueMap(d *input.Decoder, n *input.Node, what string) map[string]engine.Values {
	if n.Kind != input.Object {
		d.Errorf(n, "%s: want an object of keys and values, got %s", what, n.Kind)
		return nil
	}
	out := make(map[string]engine.Values, len(n.Members))
	seen := map[string]string{}
	for _, m := range n.Members {
		lower := strings.ToLower(m.Key)
		if first, dup := seen[lower]; dup {
			d.Errs = append(d.Errs, &input.Error{File: d.File, Line: m.Line, Col: m.Col,
				Msg: fmt.Sprintf("%s: %q and %q differ only in case, and keys match case-insensitively: keep one", what, first, m.Key)})
			continue
		}
		seen[lower] = m.Key
		v, err := engine.ValuesOf(input.Value(m.Value))
		if err != nil {
			d.Errorf(m.Value, "%s[%q]: %v", what, m.Key, err)
			continue
		}
		out[m.Key] = v
	}
	return out
}
