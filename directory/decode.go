package directory

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/internal/textdist"
	"gatehouse.dev/gatehouse/policy"
)

// Decode reads one object of a kind from its JSON body, strictly (unknown
// fields, duplicate keys and wrong types are errors), and validates it: its
// id (given by the URL; a body "id", or "name" for a role, must agree), its
// fields, and its policy documents with policy.Load for the right kind.
// null stands for an absent optional field.
//
// Findings are positioned in body (line, column, JSON pointer such as
// "/document/Statement/0/Effect"). On success they are the warnings; on
// failure err is an *Error (ErrMalformed or ErrInvalid) holding the errors.
// It never panics.
func Decode(kind, id string, body []byte) (Object, policy.Findings, error) {
	spec, ok := specs[kind]
	if !ok {
		return nil, nil, &Error{Code: CodeUnknownKind, Kind: kind, ID: id, class: ErrInvalid,
			Message: fmt.Sprintf("unknown object kind %s: use one of %s", quote(kind), strings.Join(Kinds(), ", "))}
	}
	d := &decoder{kind: kind, id: id}
	switch {
	case len(body) > MaxObjectBytes:
		d.s = &scan{body: nil, vals: map[string]*value{}, lines: []int{0}}
		d.s.errorf(-1, "", CodeSyntax, "the body is %d bytes; at most %d are allowed: split the object (a policy document is at most %d bytes)",
			len(body), MaxObjectBytes, policy.MaxDocumentBytes)
	case !utf8.Valid(body):
		d.s = &scan{body: body, vals: map[string]*value{}, lines: []int{0}}
		d.s.errorf(invalidUTF8(body), "", CodeSyntax, "the body is not valid UTF-8: send UTF-8 JSON")
	default:
		d.s = scanBody(body, "/document", "/trust_policy", "/session_policy", "/jwks")
	}
	if d.s.fs.HasErrors() {
		return nil, nil, objectErr(kind, id, d.s.fs)
	}
	if root := d.s.vals[""]; root == nil || root.typ != jObject {
		typ := jsonType(0)
		if root != nil {
			typ = root.typ
		}
		d.s.errorf(0, "", CodeWrongType, "the body is %s; send a JSON object with the %s's fields", typ, kindNoun(kind))
		return nil, nil, objectErr(kind, id, d.s.fs)
	}
	if !d.fields(spec) {
		return nil, nil, objectErr(kind, id, d.s.fs)
	}
	obj := spec.build(d)
	d.s.fs.Sort()
	if d.s.fs.HasErrors() {
		return nil, nil, objectErr(kind, id, d.s.fs)
	}
	return obj, d.s.fs, nil
}

// fieldType is the JSON a field expects.
type fieldType uint8

const (
	tString     fieldType = iota // a string
	tStrings                     // a list of strings
	tDocument                    // a policy document (an object)
	tAttributes                  // an object of scalars and lists of scalars
	tInt                         // an integer
	tObject                      // any JSON object, kept as written
)

func (t fieldType) String() string {
	switch t {
	case tString:
		return "a string"
	case tStrings:
		return "a list of strings"
	case tDocument:
		return "a policy document (a JSON object)"
	case tAttributes:
		return "an object of attributes"
	case tObject:
		return "a JSON object"
	}
	return "an integer"
}

// field is one member of a kind's body.
type field struct {
	name     string
	typ      fieldType
	required bool
	// alias is the canonical name when this is a LoopBack spelling.
	alias string
}

// spec is what one kind's body holds and how to build the object.
type spec struct {
	fields []field
	build  func(*decoder) Object
}

// specs gives every kind's fields. "id" (or "name" for a role) may repeat
// the URL's id.
var specs = map[string]spec{
	KindPolicy: {fields: []field{{name: "id"}, {name: "description"},
		{name: "document", typ: tDocument, required: true}}, build: (*decoder).policy},
	KindRole: {fields: []field{{name: "name"}, {name: "description"},
		{name: "policies", typ: tStrings}, {name: "includes", typ: tStrings},
		{name: "trust_policy", typ: tDocument}, {name: "max_session_seconds", typ: tInt}}, build: (*decoder).role},
	KindRoleMapping: {fields: []field{{name: "id"},
		{name: "principal_type", required: true}, {name: "principal_id", required: true}, {name: "role", required: true},
		{name: "principalType", alias: "principal_type"}, {name: "principalId", alias: "principal_id"}}, build: (*decoder).mapping},
	KindUser: {fields: []field{{name: "id"}, {name: "attributes", typ: tAttributes},
		{name: "groups", typ: tStrings}, {name: "policies", typ: tStrings}}, build: (*decoder).user},
	KindGroup: {fields: []field{{name: "id"}, {name: "description"},
		{name: "policies", typ: tStrings}}, build: (*decoder).group},
	KindApp: {fields: []field{{name: "id"}, {name: "description"}, {name: "attributes", typ: tAttributes},
		{name: "policies", typ: tStrings}}, build: (*decoder).app},
	KindClaimRule: {fields: []field{{name: "id"}, {name: "description"},
		{name: "claim", required: true}, {name: "op", required: true}, {name: "value"},
		{name: "role", required: true}, {name: "issuer"}}, build: (*decoder).claimRule},
	KindResourcePolicy: {fields: []field{{name: "id"}, {name: "description"},
		{name: "resource", required: true}, {name: "document", typ: tDocument, required: true}}, build: (*decoder).resourcePolicy},
	KindBoundary: {fields: []field{{name: "id"}, {name: "description"},
		{name: "principal_type", required: true}, {name: "principal_id", required: true},
		{name: "document", typ: tDocument, required: true}}, build: (*decoder).boundary},
	KindIssuer: {fields: []field{{name: "name"}, {name: "issuer", required: true},
		{name: "audiences", typ: tStrings, required: true}, {name: "audience_claim"}, {name: "jwks_uri"},
		{name: "jwks", typ: tObject}, {name: "algorithms", typ: tStrings}, {name: "principal_claim"},
		{name: "attribute_claims", typ: tStrings}}, build: (*decoder).issuer},
	KindSession: {fields: []field{{name: "id"}, {name: "role", required: true}, {name: "session_policy", typ: tDocument},
		{name: "attributes", typ: tAttributes}, {name: "source"}, {name: "created_at", required: true},
		{name: "expires_at", required: true}}, build: (*decoder).session},
	KindRevocation: {fields: []field{{name: "id"}, {name: "expires_at", required: true}}, build: (*decoder).revocation},
	KindCredential: {fields: []field{{name: "id"}, {name: "password_hash", required: true}}, build: (*decoder).credential},
}

// decoder holds one Decode.
type decoder struct {
	kind, id string
	s        *scan
	// ptr maps a canonical field name to the pointer it was given at
	// (its alias's, for a LoopBack spelling).
	ptr map[string]string
}

// fields checks the body's members against the spec: unknown fields,
// types, required fields, an alias given with its canonical name. It
// reports whether the body can be built.
func (d *decoder) fields(sp spec) bool {
	root := d.s.vals[""]
	d.ptr = map[string]string{}
	known := make([]string, 0, len(sp.fields))
	for _, f := range sp.fields {
		known = append(known, f.name)
	}
	ok := true
	for ki, k := range root.keys {
		p := "/" + escapePointer(k)
		koff := root.keyOffs[ki]
		v := d.s.vals[p]
		f, found := lookupField(sp.fields, k)
		if !found {
			msg := fmt.Sprintf("unknown field %s in a %s", quote(k), kindNoun(d.kind))
			if s := suggest(k, known); s != "" {
				msg += fmt.Sprintf(": did you mean %q?", s)
			} else {
				msg += ": its fields are " + strings.Join(known, ", ")
			}
			d.s.errorf(koff, p, CodeUnknownField, "%s", msg)
			ok = false
			continue
		}
		canon := f.name
		if f.alias != "" {
			canon = f.alias
		}
		if prev, dup := d.ptr[canon]; dup {
			d.s.errorf(koff, p, CodeDuplicateKey, "%s and %s are the same field (one is LoopBack's spelling): give it once",
				strings.TrimPrefix(prev, "/"), k)
			ok = false
			continue
		}
		if v.typ == jNull {
			continue // absent
		}
		d.ptr[canon] = p
		if !d.checkType(p, f.typ) {
			ok = false
		}
	}
	for _, f := range sp.fields {
		if f.required && d.ptr[f.name] == "" {
			msg := fmt.Sprintf("a %s needs %s (%s)", kindNoun(d.kind), f.name, f.typ)
			d.s.errorf(root.off, "", CodeMissingField, "%s", msg)
			ok = false
		}
	}
	return ok
}

func lookupField(fs []field, k string) (field, bool) {
	for _, f := range fs {
		if f.name == k {
			return f, true
		}
	}
	return field{}, false
}

// checkType checks that the value at p has the field's type.
func (d *decoder) checkType(p string, t fieldType) bool {
	v := d.s.vals[p]
	want := map[fieldType]jsonType{tString: jString, tStrings: jArray, tDocument: jObject,
		tAttributes: jObject, tInt: jNumber, tObject: jObject}[t]
	if v.typ != want {
		msg := fmt.Sprintf("%s must be %s, not %s", strings.TrimPrefix(p, "/"), t, v.typ)
		if t == tDocument && v.typ == jString {
			msg += ": send the policy itself as a JSON object, not a string holding it"
		}
		d.s.errorf(v.off, p, CodeWrongType, "%s", msg)
		return false
	}
	switch t {
	case tStrings:
		ok := true
		for i := 0; i < v.n; i++ {
			ep := p + "/" + strconv.Itoa(i)
			if e := d.s.vals[ep]; e.typ != jString {
				d.s.errorf(e.off, ep, CodeWrongType, "%s must hold strings only, not %s", strings.TrimPrefix(p, "/"), e.typ)
				ok = false
			}
		}
		return ok
	case tAttributes:
		ok := true
		for _, k := range v.keys {
			ap := p + "/" + escapePointer(k)
			a := d.s.vals[ap]
			switch a.typ {
			case jString, jNumber, jBool:
			case jArray:
				for i := 0; i < a.n; i++ {
					ep := ap + "/" + strconv.Itoa(i)
					if e := d.s.vals[ep]; e.typ != jString && e.typ != jNumber && e.typ != jBool {
						d.s.errorf(e.off, ep, CodeWrongType, "attribute %s: a list may hold strings, numbers and booleans, not %s", quote(k), e.typ)
						ok = false
					}
				}
			default:
				d.s.errorf(a.off, ap, CodeWrongType, "attribute %s is %s: use a string, number, boolean or a list of them (leave the attribute out instead of null)", quote(k), a.typ)
				ok = false
			}
		}
		return ok
	case tInt:
		if _, err := strconv.ParseInt(v.text, 10, 64); err != nil {
			d.s.errorf(v.off, p, CodeWrongType, "%s must be a whole number, not %s", strings.TrimPrefix(p, "/"), v.text)
			return false
		}
	}
	return true
}

// suggest returns the known field s was probably meant to be, or "".
func suggest(s string, known []string) string {
	norm := func(x string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(x)) }
	for _, k := range known {
		if norm(s) == norm(k) {
			return k
		}
	}
	if len(s) > maxQuoted {
		return ""
	}
	best, bestDist := "", 3
	for _, k := range known {
		limit := 2
		if len(k) <= 4 {
			limit = 1
		}
		if dist := textdist.Distance(norm(s), norm(k), limit); dist <= limit && dist < bestDist && dist < len(s) {
			best, bestDist = k, dist
		}
	}
	return best
}

// Accessors of checked fields. They return zero values for absent fields.

func (d *decoder) str(name string) string {
	if p := d.ptr[name]; p != "" {
		return d.s.vals[p].text
	}
	return ""
}

func (d *decoder) has(name string) bool { return d.ptr[name] != "" }

func (d *decoder) strs(name string) []string {
	p := d.ptr[name]
	if p == "" {
		return nil
	}
	v := d.s.vals[p]
	out := make([]string, v.n)
	for i := range out {
		out[i] = d.s.vals[p+"/"+strconv.Itoa(i)].text
	}
	return out
}

// errorAt records an error about the field name (at its value).
func (d *decoder) errorAt(name, code, format string, args ...any) {
	p := d.ptr[name]
	d.s.errorf(d.s.at(p), p, code, format, args...)
}

// checkID checks the URL's id with check, and that a body id agrees.
func (d *decoder) checkID(bodyField string, check func(what, s string) error) string {
	if err := check(kindNoun(d.kind)+" id", d.id); err != nil {
		d.s.errorf(-1, "", CodeBadID, "%v", err)
	}
	if d.has(bodyField) {
		if b := d.str(bodyField); b != d.id {
			d.errorAt(bodyField, CodeIDMismatch, "the body's %s %s differs from the id %s in the URL: they must agree (or leave %s out)",
				bodyField, quote(b), quote(d.id), bodyField)
		}
	}
	return d.id
}

// description checks and returns the description.
func (d *decoder) description() string {
	s := d.str("description")
	if len(s) > MaxDescriptionBytes {
		d.errorAt("description", CodeBadValue, "the description is %d bytes; at most %d are allowed", len(s), MaxDescriptionBytes)
	} else if err := checkFreeText("description", s); err != nil {
		d.errorAt("description", CodeBadValue, "%v", err)
	}
	return s
}

// list checks every element of a list field with check and refuses
// repeats.
func (d *decoder) list(name, what string, check func(what, s string) error) []string {
	items := d.strs(name)
	seen := make(map[string]bool, len(items))
	p := d.ptr[name]
	for i, it := range items {
		ep := p + "/" + strconv.Itoa(i)
		if err := check(what, it); err != nil {
			d.s.errorf(d.s.at(ep), ep, CodeBadID, "%v", err)
			continue
		}
		if seen[it] {
			d.s.errorf(d.s.at(ep), ep, CodeDuplicate, "%s lists %s twice: keep one", name, quote(it))
		}
		seen[it] = true
	}
	return items
}

// document loads the policy document at field name as a kind of policy,
// with its findings positioned in the body.
func (d *decoder) document(name string, kind policy.Kind) (json.RawMessage, *policy.Document) {
	p := d.ptr[name]
	if p == "" {
		return nil, nil
	}
	v := d.s.vals[p]
	doc, fs := policy.Load("", v.raw, kind)
	start := d.s.pos(v.off)
	for _, f := range fs {
		f.Pointer = p + f.Pointer
		switch {
		case f.Line == 0:
			f.Line, f.Col = start.Line, start.Col
		case f.Line == 1:
			f.Line, f.Col = start.Line, start.Col+f.Col-1
		default:
			f.Line += start.Line - 1
		}
		d.s.fs = append(d.s.fs, f)
	}
	if fs.HasErrors() {
		return v.raw, nil
	}
	return append(json.RawMessage(nil), v.raw...), doc
}

// attributes checks and converts the attributes field.
func (d *decoder) attributes() (map[string]any, map[string]engine.Values) {
	p := d.ptr["attributes"]
	if p == "" {
		return nil, nil
	}
	v := d.s.vals[p]
	raw := make(map[string]any, len(v.keys))
	vals := make(map[string]engine.Values, len(v.keys))
	for _, k := range v.keys {
		ap := p + "/" + escapePointer(k)
		if err := checkAttributeKey(k); err != nil {
			d.s.errorf(d.s.at(ap), ap, CodeReservedAttribute, "%v", err)
			continue
		}
		a := d.s.vals[ap]
		if a.typ == jArray {
			list := make([]any, a.n)
			for i := range list {
				list[i] = scalarOf(d.s.vals[ap+"/"+strconv.Itoa(i)])
			}
			raw[k] = list
		} else {
			raw[k] = scalarOf(a)
		}
		ev, err := engine.ValuesOf(raw[k])
		if err != nil {
			d.s.errorf(a.off, ap, CodeBadValue, "attribute %s: %v", quote(k), err)
			continue
		}
		vals[k] = ev
	}
	return raw, vals
}

// scalarOf is a scanned scalar as encoding/json with UseNumber gives it.
func scalarOf(v *value) any {
	switch v.typ {
	case jNumber:
		return json.Number(v.text)
	case jBool:
		return v.text == "true"
	}
	return v.text
}

// reservedAttributes are the principal: keys the structured fields fill;
// an attribute of that name could never be read.
var reservedAttributes = []string{"id", "type", "roles", "groups"}

// checkAttributeKey checks an attribute name.
func checkAttributeKey(k string) error {
	if k == "" {
		return fmt.Errorf("an attribute name is empty")
	}
	if len(k) > MaxAttributeKeyBytes {
		return fmt.Errorf("attribute name %s is %d bytes; at most %d are allowed", quote(k), len(k), MaxAttributeKeyBytes)
	}
	for _, r := range reservedAttributes {
		if strings.EqualFold(k, r) {
			return fmt.Errorf("attribute %s would be hidden by the key principal:%s, which gatehouse fills itself: rename it", quote(k), r)
		}
	}
	return checkText("attribute name", k, false)
}

// checkFreeText checks a description: UTF-8, no control characters but
// tabs and line breaks.
func checkFreeText(what, s string) error {
	return checkText(what, s, true)
}

func invalidUTF8(b []byte) int {
	for off := 0; off < len(b); {
		r, size := utf8.DecodeRune(b[off:])
		if r == utf8.RuneError && size <= 1 {
			return off
		}
		off += size
	}
	return 0
}
