package policy

import (
	"fmt"
	"strings"
)

// This file holds the warnings about statements and conditions that are
// legal but almost certainly not what their author meant.

// lintStatement warns about a statement as a whole.
func (v *validator) lintStatement(st *Statement) {
	if st.Effect == Allow {
		v.lintAllow(st)
	}
	v.neverMatches(st)
	v.lintConditionSet(st)
}

// lintAllow warns about Allow statements that grant far more than they seem to.
func (v *validator) lintAllow(st *Statement) {
	if hasStar(st.Action) && hasStar(st.Resource) && len(st.Conditions) == 0 {
		v.warn(CodeAllowAll, st.Pos, st.Path,
			"statement allows every action on every resource with no condition, which is full administrator access: list only the actions and resources needed, or add a condition")
	}
	if st.NotAction != nil {
		pos, ptr := listLoc(st, "NotAction", st.NotAction)
		v.warn(CodeAllowNotAction, pos, ptr,
			"Allow with NotAction allows every action except those listed, including every other service's actions and actions added later: list the allowed actions in Action, or use NotAction in a Deny statement")
	}
	if st.NotResource != nil {
		pos, ptr := listLoc(st, "NotResource", st.NotResource)
		v.warn(CodeAllowNotResource, pos, ptr,
			"Allow with NotResource allows every resource except those listed, including resources created later: list the allowed resources in Resource, or use NotResource in a Deny statement")
	}
	if st.NotPrincipal != nil {
		v.warn(CodeAllowNotPrincipal, st.NotPrincipal.Pos, principalPath(st, st.NotPrincipal, "NotPrincipal"),
			"Allow with NotPrincipal allows everyone except those listed, anonymous callers included: name the allowed principals in Principal instead")
	}
}

// hasStar reports whether list contains the bare wildcard "*".
func hasStar(list []Str) bool {
	for _, s := range list {
		if s.Value == "*" {
			return true
		}
	}
	return false
}

// neverMatches warns about a statement that provably applies to no request.
// It keeps to cases that can be shown from the statement alone.
func (v *validator) neverMatches(st *Statement) {
	report := func(pos Pos, ptr, why string) {
		v.warn(CodeNeverMatches, pos, ptr, "statement can never match: %s, so it %s nothing: %s",
			why, effectVerb(st.Effect), "fix or remove it")
	}
	if st.Action != nil && len(st.Action) == 0 {
		report(st.Pos, st.Path+"/Action", "its Action list is empty")
	}
	if st.Resource != nil && len(st.Resource) == 0 {
		report(st.Pos, st.Path+"/Resource", "its Resource list is empty")
	}
	for _, a := range st.NotAction {
		if a.Value == "*" {
			report(a.Pos, strPath(a, "NotAction"), "NotAction \"*\" excludes every action")
		}
	}
	for _, r := range st.NotResource {
		if r.Value == "*" {
			report(r.Pos, strPath(r, "NotResource"), "NotResource \"*\" excludes every resource")
		}
	}
	if p := st.NotPrincipal; p != nil && matchesAnyone(p) {
		report(p.Pos, principalPath(st, p, "NotPrincipal"), "NotPrincipal \"*\" excludes every principal")
	}
	if p := st.Principal; p != nil && !p.Any && principalIDCount(p) == 0 {
		report(p.Pos, principalPath(st, p, "Principal"), "its Principal names no principal")
	}
}

// matchesAnyone reports whether p is "*" or has the entry {"AWS": "*"},
// which also matches anyone (docs/semantics.md, as in IAM).
func matchesAnyone(p *Principal) bool {
	if p.Any {
		return true
	}
	for _, e := range p.Entries {
		if e.Type.Value == "AWS" {
			for _, id := range e.IDs {
				if id.Value == "*" {
					return true
				}
			}
		}
	}
	return false
}

func effectVerb(e Effect) string {
	switch e {
	case Allow:
		return "allows"
	case Deny:
		return "denies"
	}
	return "decides"
}

func principalIDCount(p *Principal) int {
	n := 0
	for _, e := range p.Entries {
		n += len(e.IDs)
	}
	return n
}

// lintOperator warns about one condition's operator: set qualifiers that do
// not fit the operator or the key.
func (v *validator) lintOperator(c *Condition, op string) {
	at, ptr := c.Key.Pos, condKeyPath(c)
	switch {
	case c.Op.Set != SetNone && c.Op.Base == OpNull:
		v.warn(CodeNullSetQualifier, at, ptr,
			"%s: Null tests only whether %s is present, so the %s: qualifier has nothing to range over: write \"Null\"",
			op, quote(c.Key.Value), c.Op.Set)
	case c.Op.Set == ForAnyValue && c.Op.Base.Negated():
		all := Operator{Base: c.Op.Base, Set: ForAllValues, IfExists: c.Op.IfExists}
		v.warn(CodeForAnyValueNegated, at, ptr,
			"%s on %s is true as soon as one of the request's values is not listed, which is almost always: to require that none of its values is listed, write %q",
			op, quote(c.Key.Value), all.String())
	}
	if c.Op.Set != SetNone && c.Op.Base != OpNull {
		if canon, ok := singleValuedKey(c.Key.Value); ok {
			plain := Operator{Base: c.Op.Base, IfExists: c.Op.IfExists}
			extra := ""
			if c.Op.Set == ForAllValues {
				extra = ", and ForAllValues makes the condition true when the key is absent"
			}
			v.warn(CodeSingleValuedSet, at, ptr,
				"%s has a single value, so %s: adds nothing%s: write %q",
				quote(canon), c.Op.Set, extra, plain.String())
		}
	}
}

// singleValuedKeys are the keys gatehouse fills with exactly one value.
var singleValuedKeys = [...]string{"principal:id", "principal:type", "resource:name", "resource:type"}

// singleValuedKey reports whether k (case-insensitively) is a single-valued
// gatehouse key, and returns its canonical spelling.
func singleValuedKey(k string) (string, bool) {
	for _, s := range singleValuedKeys {
		if strings.EqualFold(k, s) {
			return s, true
		}
	}
	return "", false
}

// requiresPresence reports whether an operator is false when its key is
// absent from the request. IfExists and ForAllValues operators are true for
// an absent key, and so are plain negated operators; Null tests presence
// itself.
func requiresPresence(op Operator) bool {
	if op.Base == OpNull || op.Base == OpUnknown || op.IfExists {
		return false
	}
	return op.Set == ForAnyValue || (op.Set == SetNone && !op.Base.Negated())
}

// nullValue reports whether c is a Null test whose values are all v.
func nullValue(c *Condition, want bool) bool {
	if c.Op.Base != OpNull || len(c.Values) == 0 {
		return false
	}
	for _, val := range c.Values {
		b, err := parseBoolValue(val.Value)
		if err != nil || b != want {
			return false
		}
	}
	return true
}

// lintConditionSet warns about combinations of a statement's conditions:
// ForAllValues without a presence guard, and conditions on one key that
// contradict each other.
func (v *validator) lintConditionSet(st *Statement) {
	conds := make([]*Condition, 0, len(st.Conditions))
	for _, c := range st.Conditions {
		if c != nil && c.Op.Base != OpUnknown {
			conds = append(conds, c)
		}
	}
	for i, c := range conds {
		// ForAllValues is true for a request without the key (IAM User
		// Guide, "Single-valued vs. multivalued context keys"): in an Allow
		// it lets such requests through unless something else requires the
		// key, as the Null guard the AWS docs recommend does.
		if st.Effect == Allow && c.Op.Set == ForAllValues && c.Op.Base != OpNull {
			guarded := false
			for _, g := range conds {
				if g != c && strings.EqualFold(g.Key.Value, c.Key.Value) &&
					(nullValue(g, false) || requiresPresence(g.Op)) {
					guarded = true
					break
				}
			}
			if !guarded {
				v.warn(CodeForAllValuesMissingKey, c.Key.Pos, condKeyPath(c),
					"%s on %s is true when the request does not carry the key, so this Allow also allows requests without it: add \"Null\": {%q: \"false\"} to the condition",
					opName(c), quote(c.Key.Value), c.Key.Value)
			}
		}
		// Null true (the key is absent) against an operator that needs the
		// key present.
		if nullValue(c, true) {
			for _, o := range conds {
				if o != c && strings.EqualFold(o.Key.Value, c.Key.Value) && requiresPresence(o.Op) {
					v.warn(CodeNeverMatches, c.Key.Pos, condKeyPath(c),
						"statement can never match: Null requires %s to be absent, but %s requires it to be present, so it %s nothing: fix or remove one of them",
						quote(c.Key.Value), opName(o), effectVerb(st.Effect))
					break
				}
			}
		}
		// Two string equality tests of one single-valued key with no value in
		// common.
		for _, o := range conds[i+1:] {
			if disjointEquals(c, o) {
				v.warn(CodeNeverMatches, o.Key.Pos, condKeyPath(o),
					"statement can never match: %s has a single value, which cannot be both one of %s (%s) and one of %s (%s), so it %s nothing: fix or remove one of them",
					quote(c.Key.Value), listText(c.Values), opName(c), listText(o.Values), opName(o), effectVerb(st.Effect))
			}
		}
	}
}

// disjointEquals reports whether a and b are StringEquals (or
// StringEqualsIgnoreCase) tests of the same single-valued key, at least one
// requiring the key, with literal value sets that share no value.
func disjointEquals(a, b *Condition) bool {
	if !strings.EqualFold(a.Key.Value, b.Key.Value) {
		return false
	}
	if _, ok := singleValuedKey(a.Key.Value); !ok {
		return false
	}
	isEq := func(op Operator) bool {
		return op.Set == SetNone && (op.Base == OpStringEquals || op.Base == OpStringEqualsIgnoreCase)
	}
	if !isEq(a.Op) || !isEq(b.Op) || (a.Op.IfExists && b.Op.IfExists) {
		return false
	}
	if len(a.Values) == 0 || len(b.Values) == 0 {
		return false
	}
	fold := a.Op.Base == OpStringEqualsIgnoreCase || b.Op.Base == OpStringEqualsIgnoreCase
	for _, x := range a.Values {
		for _, y := range b.Values {
			if strings.Contains(x.Value, "${") || strings.Contains(y.Value, "${") {
				return false
			}
			if x.Value == y.Value || (fold && strings.EqualFold(x.Value, y.Value)) {
				return false
			}
		}
	}
	return true
}

// listText renders condition values for a message.
func listText(vals []Str) string {
	if len(vals) == 1 {
		return quote(vals[0].Value)
	}
	parts := make([]string, 0, len(vals))
	for i, val := range vals {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("… %d more", len(vals)-i))
			break
		}
		parts = append(parts, quote(val.Value))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
