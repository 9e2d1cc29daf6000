package server

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// A check body is decoded for every check and every item of a batch; with
// encoding/json that cost about 5 µs an item, the largest part of a batch
// after the decision log (docs/benchmarks.md). decodeCheck first tries a
// small decoder for the bodies callers send — known field names spelled
// exactly, no null, no duplicate keys, condition values that are scalars
// or flat lists — and otherwise decodes with decodeBytes, which accepts
// what encoding/json accepts and words every error. When the small decoder
// succeeds its result is what decodeBytes would give (FuzzFastCheck).

// decodeCheck decodes one check body strictly (see decodeBytes).
func decodeCheck(body []byte, req *checkRequest) error {
	var p fastParser
	p.b = body
	if p.check(req) && p.end() {
		return nil
	}
	*req = checkRequest{}
	return decodeBytes(body, req)
}

// fastParser reads one JSON value from b at i. Any method returns false
// for input it does not handle; the caller then falls back.
type fastParser struct {
	b []byte
	i int
}

func (p *fastParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// end reports whether only white space is left.
func (p *fastParser) end() bool {
	p.ws()
	return p.i == len(p.b)
}

// peek returns the next byte after white space, or 0 at the end.
func (p *fastParser) peek() byte {
	p.ws()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *fastParser) eat(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

// object reads an object, calling field for each key; a key seen twice
// fails.
func (p *fastParser) object(field func(key string) bool) bool {
	if !p.eat('{') {
		return false
	}
	if p.eat('}') {
		return true
	}
	var seen [12]string
	n := 0
	for {
		key, ok := p.string()
		if !ok || !p.eat(':') {
			return false
		}
		for _, k := range seen[:min(n, len(seen))] {
			if k == key {
				return false
			}
		}
		if n >= len(seen) {
			return false // many keys: let encoding/json and duplicateKey judge
		}
		seen[n] = key
		n++
		if !field(key) {
			return false
		}
		if p.eat(',') {
			continue
		}
		return p.eat('}')
	}
}

// string reads a string without escapes, of valid UTF-8.
func (p *fastParser) string() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	ascii := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !ascii && !utf8.Valid(s) {
				return "", false
			}
			return string(s), true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return "", false
}

// strings reads a list of strings.
func (p *fastParser) strings() ([]string, bool) {
	if !p.eat('[') {
		return nil, false
	}
	out := []string{}
	if p.eat(']') {
		return out, true
	}
	for {
		s, ok := p.string()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if p.eat(',') {
			continue
		}
		return out, p.eat(']')
	}
}

// number reads a number as JSON's grammar has it and returns its text.
func (p *fastParser) number() (string, bool) {
	p.ws()
	start, b := p.i, p.b
	i := p.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return "", false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return "", false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return "", false
		}
	}
	p.i = i
	return string(b[start:i]), true
}

// literal reads true or false.
func (p *fastParser) literal() (bool, bool) {
	p.ws()
	switch {
	case len(p.b)-p.i >= 4 && string(p.b[p.i:p.i+4]) == "true":
		p.i += 4
		return true, true
	case len(p.b)-p.i >= 5 && string(p.b[p.i:p.i+5]) == "false":
		p.i += 5
		return false, true
	}
	return false, false
}

// scalar reads a string, number or boolean as encoding/json decodes it
// into an interface with UseNumber.
func (p *fastParser) scalar() (any, bool) {
	switch c := p.peek(); {
	case c == '"':
		return p.string()
	case c == 't' || c == 'f':
		return p.literal()
	case c == '-' || c >= '0' && c <= '9':
		n, ok := p.number()
		return json.Number(n), ok
	}
	return nil, false
}

// values reads a valueMap whose values are scalars or flat lists of them.
func (p *fastParser) values() (valueMap, bool) {
	m := valueMap{}
	ok := p.object(func(key string) bool {
		if p.peek() != '[' {
			v, ok := p.scalar()
			m[key] = v
			return ok
		}
		p.i++
		list := []any{}
		if !p.eat(']') {
			for {
				v, ok := p.scalar()
				if !ok {
					return false
				}
				list = append(list, v)
				if p.eat(',') {
					continue
				}
				if !p.eat(']') {
					return false
				}
				break
			}
		}
		m[key] = list
		return true
	})
	return m, ok
}

// check reads a check body.
func (p *fastParser) check(req *checkRequest) bool {
	return p.object(func(key string) bool {
		var ok bool
		switch key {
		case "principal":
			req.Principal = new(principalInput)
			ok = p.principal(req.Principal)
		case "token":
			var t string
			t, ok = p.string()
			req.Token = &t
		case "action":
			req.Action, ok = p.string()
		case "resource":
			req.Resource = new(resourceInput)
			ok = p.resource(req.Resource)
		case "context":
			req.Context, ok = p.values()
		case "request":
			req.Request = new(requestInput)
			ok = p.object(func(key string) bool {
				var ok bool
				if key == "ip" {
					req.Request.IP, ok = p.string()
				}
				return ok
			})
		case "fields":
			req.Fields, ok = p.strings()
		case "at_least_revision":
			var n string
			if n, ok = p.number(); ok {
				req.AtLeastRevision, ok = parseInt64(n)
			}
		}
		return ok
	})
}

// principal reads a check's principal.
func (p *fastParser) principal(in *principalInput) bool {
	return p.object(func(key string) bool {
		var ok bool
		switch key {
		case "type":
			in.Type, ok = p.string()
		case "id":
			in.ID, ok = p.string()
		case "attributes":
			in.Attributes, ok = p.values()
		case "roles":
			in.Roles, ok = p.strings()
		}
		return ok
	})
}

// resource reads a check's resource.
func (p *fastParser) resource(in *resourceInput) bool {
	return p.object(func(key string) bool {
		var ok bool
		switch key {
		case "name":
			in.Name, ok = p.string()
		case "type":
			in.Type, ok = p.string()
		case "attributes":
			in.Attributes, ok = p.values()
		}
		return ok
	})
}

// parseInt64 parses an integer as encoding/json decodes one into int64.
func parseInt64(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// decodeBatchFast reads a check/batch body whose every item the small
// decoder takes, in one pass; ok is false for any other body, which the
// caller then decodes with decodeBytes.
func decodeBatchFast(body []byte) (checks []checkRequest, atLeast int64, ok bool) {
	p := fastParser{b: body}
	seen := false
	ok = p.object(func(key string) bool {
		switch key {
		case "checks":
			seen = true
			if !p.eat('[') {
				return false
			}
			checks = []checkRequest{}
			if p.eat(']') {
				return true
			}
			for len(checks) < maxBatch {
				checks = append(checks, checkRequest{})
				if !p.check(&checks[len(checks)-1]) {
					return false
				}
				if !p.eat(',') {
					return p.eat(']')
				}
			}
			return false // too many: decodeBytes and the caller say so
		case "at_least_revision":
			n, ok := p.number()
			if ok {
				atLeast, ok = parseInt64(n)
			}
			return ok
		}
		return false
	})
	return checks, atLeast, ok && seen && p.end()
}
