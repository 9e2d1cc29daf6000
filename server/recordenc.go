package server

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/engine"
)

// The decision log writer marshals every decision it logs, one goroutine
// for the whole server: through encoding/json's reflection that cost about
// 5 µs a decision, the largest part of a batch's cost (docs/benchmarks.md).
// appendRecord writes the same bytes as json.Marshal of the record's
// recordJSON (asserted by TestRecordEncoderAgreesWithEncodingJSON and
// FuzzRecordEncoder), by hand.

// MarshalJSON implements json.Marshaler.
func (r *decisionRecord) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(make([]byte, 0, 1280))
}

// AppendJSON appends the record's JSON to b (a batch's records go straight
// into the batch's row).
func (r *decisionRecord) AppendJSON(b []byte) ([]byte, error) {
	if y := r.in.Now.Year(); y < 0 || y > 9999 {
		// A time encoding/json refuses: let it say so.
		rj := r.recordJSON()
		j, err := json.Marshal(&rj)
		return append(b, j...), err
	}
	return r.appendJSON(b), nil
}

// recordJSON is r in its stored form.
func (r *decisionRecord) recordJSON() recordJSON {
	rj := recordJSON{
		Endpoint: r.endpoint,
		Caller:   r.caller,
		Subject:  subjectOf(r.in.Subject),
		Action:   r.in.Action,
		Resource: resourceJSON{Name: r.in.Resource.Name, Type: r.in.Resource.Type, Attributes: r.in.Resource.Attributes},
		Context:  r.in.Context,
		IP:       r.in.IP,
		Fields:   r.in.Fields,
		Time:     r.in.Now,
		Revision: r.revision,
		Roles:    rolesJSON(r.resolution),
		Decision: r.decision.String(),
		Reason:   r.decision.Reason.String(),
		By:       statementsJSON(r.deciding()),
	}
	if r.resolution != nil {
		rj.Groups = r.resolution.Groups
	}
	if len(r.in.Fields) > 0 {
		rj.FieldDecisions = fieldMap(r.fields)
	}
	return rj
}

// deciding returns the deciding statements: an explain's, or the check's
// one.
func (r *decisionRecord) deciding() []engine.StatementRef {
	if r.statements == nil && r.decision.By != nil {
		return []engine.StatementRef{*r.decision.By}
	}
	return r.statements
}

// appendJSON appends r as recordJSON's JSON, field for field.
func (r *decisionRecord) appendJSON(b []byte) []byte {
	in := r.in
	b = appendKey(b, '{', "endpoint")
	b = appendString(b, r.endpoint)
	b = appendKey(b, ',', "caller")
	b = appendString(b, r.caller)

	s := &in.Subject
	b = appendKey(b, ',', "subject")
	b = appendKey(b, '{', "type")
	b = appendString(b, s.Type)
	b = appendOptString(b, "id", s.ID)
	b = appendOptValues(b, "attributes", s.Attributes)
	b = appendOptStrings(b, "groups", s.Groups)
	b = appendOptStrings(b, "roles", s.Roles)
	b = appendOptValues(b, "claims", s.Claims)
	b = appendOptString(b, "issuer", s.Issuer)
	b = append(b, '}')

	b = appendKey(b, ',', "action")
	b = appendString(b, in.Action)
	b = appendKey(b, ',', "resource")
	b = appendKey(b, '{', "name")
	b = appendString(b, in.Resource.Name)
	b = appendOptString(b, "type", in.Resource.Type)
	b = appendOptValues(b, "attributes", in.Resource.Attributes)
	b = append(b, '}')
	b = appendOptValues(b, "context", in.Context)
	b = appendOptString(b, "ip", in.IP)
	b = appendOptStrings(b, "fields", in.Fields)
	b = appendKey(b, ',', "time")
	b = append(b, '"')
	b = in.Now.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = appendKey(b, ',', "revision")
	b = strconv.AppendInt(b, r.revision, 10)

	b = appendKey(b, ',', "roles")
	b = append(b, '[')
	if res := r.resolution; res != nil {
		for i, rr := range res.Resolved {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendRole(b, res, rr.Role)
		}
		b = append(b, ']')
		b = appendOptStrings(b, "groups", res.Groups)
	} else {
		b = append(b, ']')
	}
	b = appendKey(b, ',', "decision")
	b = appendString(b, r.decision.String())
	b = appendKey(b, ',', "reason")
	b = appendString(b, r.decision.Reason.String())
	b = appendKey(b, ',', "statements")
	b = append(b, '[')
	for i, st := range r.deciding() {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, '{', "file")
		b = appendString(b, st.Policy)
		b = appendKey(b, ',', "kind")
		b = appendString(b, st.Kind.String())
		b = appendKey(b, ',', "index")
		b = strconv.AppendInt(b, int64(st.Index), 10)
		b = appendOptString(b, "sid", st.Sid)
		b = appendKey(b, ',', "effect")
		b = appendString(b, st.Effect.String())
		b = appendOptString(b, "attached", st.Attached)
		b = append(b, '}')
	}
	b = append(b, ']')
	if len(in.Fields) > 0 && len(r.fields) > 0 {
		b = appendKey(b, ',', "field_decisions")
		b = appendStringMap(b, fieldMap(r.fields))
	}
	return append(b, '}')
}

// appendRole appends one role of res as roleJSON.
func appendRole(b []byte, res *directory.Resolution, role string) []byte {
	// via is the steps' texts joined (Resolution.Why): each is made once.
	path := res.Path(role)
	var texts [4]string
	text := texts[:0]
	for _, g := range path {
		text = append(text, g.String())
	}
	b = appendKey(b, '{', "role")
	b = appendString(b, role)
	b = appendKey(b, ',', "via")
	b = append(b, '"')
	for i, t := range text {
		if i > 0 {
			b = append(b, ';', ' ')
		}
		b = appendEscaped(b, t)
	}
	b = append(b, '"')
	b = appendKey(b, ',', "path")
	b = append(b, '[')
	for i, g := range path {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, '{', "kind")
		b = appendString(b, g.Kind.String())
		b = appendKey(b, ',', "role")
		b = appendString(b, g.Role)
		b = appendOptString(b, "from", g.From)
		if m := g.Mapping; m != nil {
			b = appendKey(b, ',', "mapping")
			b = appendKey(b, '{', "id")
			b = appendString(b, m.ID)
			b = appendKey(b, ',', "principal_type")
			b = appendString(b, string(m.PrincipalType))
			b = appendKey(b, ',', "principal_id")
			b = appendString(b, m.PrincipalID)
			b = appendKey(b, ',', "role")
			b = appendString(b, m.Role)
			b = append(b, '}')
		}
		if c := g.Rule; c != nil {
			b = appendKey(b, ',', "claim_rule")
			b = appendKey(b, '{', "id")
			b = appendString(b, c.ID)
			b = appendOptString(b, "description", c.Description)
			b = appendKey(b, ',', "claim")
			b = appendString(b, c.Claim)
			b = appendKey(b, ',', "op")
			b = appendString(b, string(c.Op))
			b = appendOptString(b, "value", c.Value)
			b = appendKey(b, ',', "role")
			b = appendString(b, c.Role)
			b = appendOptString(b, "issuer", c.Issuer)
			b = append(b, '}')
		}
		b = appendOptString(b, "group_source", g.GroupSource)
		b = appendKey(b, ',', "text")
		b = appendString(b, text[i])
		b = append(b, '}')
	}
	return append(b, ']', '}')
}

// appendKey appends sep and "key":.
func appendKey(b []byte, sep byte, key string) []byte {
	b = append(b, sep, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendOptString appends ,"key":"s" unless s is empty (omitempty).
func appendOptString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(appendKey(b, ',', key), s)
}

// appendOptStrings appends ,"key":[...] unless ss is empty (omitempty).
func appendOptStrings(b []byte, key string, ss []string) []byte {
	if len(ss) == 0 {
		return b
	}
	return appendStrings(appendKey(b, ',', key), ss)
}

// appendStrings appends ss as a JSON array; nil is null, as encoding/json
// has it.
func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendOptValues appends ,"key":{...} unless m is empty (omitempty),
// keys sorted as encoding/json sorts them.
func appendOptValues(b []byte, key string, m map[string]engine.Values) []byte {
	if len(m) == 0 {
		return b
	}
	b = appendKey(b, ',', key)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		sep := byte(',')
		if i == 0 {
			sep = '{'
		}
		b = append(b, sep)
		b = appendString(b, k)
		b = append(b, ':')
		b = appendStrings(b, m[k])
	}
	return append(b, '}')
}

// appendStringMap appends m as a JSON object with sorted keys.
func appendStringMap(b []byte, m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it: quotes, backslashes and control characters; <, > and & (as
// json.Marshal does, for HTML); U+2028 and U+2029; invalid UTF-8 as
// U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped appends s escaped as in a JSON string, without the quotes.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}
