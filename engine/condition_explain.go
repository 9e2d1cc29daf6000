package engine

import (
	"fmt"
	"strings"

	"gatehouse.dev/gatehouse/policy"
)

// CondTrace explains one condition of a statement for one request: the
// values on both sides and the outcome.
type CondTrace struct {
	// Operator is the operator as written, e.g.
	// "ForAllValues:StringLikeIfExists".
	Operator string `json:"operator"`
	// Key is the condition key as written in the policy.
	Key string `json:"key"`
	// KeyPresent is whether the request carries the key with at least one
	// value (a key with an empty list counts as absent).
	KeyPresent bool `json:"key_present"`
	// RequestValues are the key's values in the request.
	RequestValues []string `json:"request_values"`
	// PolicyValues are the condition's values after policy variable
	// substitution. A variable with no value and no default is shown as
	// "${key} (no value)"; that policy value matches nothing.
	PolicyValues []string `json:"policy_values"`
	// Matched is whether the condition holds.
	Matched bool `json:"matched"`
	// Note explains an outcome that is not obvious from the values, such as
	// "key absent: IfExists makes this true".
	Note string `json:"note,omitempty"`
}

// explain evaluates c for r like eval and records why.
func (c *condition) explain(r *Request) CondTrace {
	v, ok := r.lookup(&c.key)
	t := CondTrace{
		Operator:      c.opText,
		Key:           c.key.full,
		KeyPresent:    ok && v.Len() > 0,
		RequestValues: make([]string, v.Len()),
		PolicyValues:  make([]string, len(c.src)),
		Matched:       c.eval(r),
	}
	for i := range t.RequestValues {
		t.RequestValues[i] = v.At(i)
	}
	var missing []string
	for i, s := range c.src {
		t.PolicyValues[i], missing = c.shownValue(s, r, missing)
	}
	t.Note = c.note(r, v, ok, t.Matched, missing)
	return t
}

// shownValue substitutes the policy variables of one value for display,
// appending to missing the variables that have no value.
func (c *condition) shownValue(s string, r *Request, missing []string) (string, []string) {
	switch c.family {
	case policy.FamilyString, policy.FamilyArn, policy.FamilyBool:
	default:
		return s, missing // IAM substitutes variables only in these families
	}
	tmpl, err := policy.ParseTemplate(s, c.varsOn)
	if err != nil || !tmpl.HasVars() {
		return s, missing
	}
	var b strings.Builder
	for _, p := range tmpl {
		if p.Kind != policy.PartVar {
			b.WriteString(p.Text)
			continue
		}
		k := compileKey(p.Text)
		if val, ok := r.lookupSingle(&k); ok {
			b.WriteString(val)
		} else if p.HasDefault {
			b.WriteString(p.Default)
		} else {
			b.WriteString("${" + p.Text + "} (no value)")
			missing = append(missing, p.Text)
		}
	}
	return b.String(), missing
}

// note returns the short explanation of a non-obvious outcome, or "".
func (c *condition) note(r *Request, v vals, ok, matched bool, missing []string) string {
	n := v.Len()
	present := ok && n > 0
	if c.family == policy.FamilyNull {
		switch {
		case present:
			return "key present"
		case ok:
			return "key has no values: Null counts it as absent"
		}
		return "key absent"
	}
	if !present {
		why := "key absent"
		if ok {
			why = "key has no values (counted as absent)"
		}
		switch {
		case c.op.IfExists:
			return why + ": IfExists makes this true"
		case c.op.Set == policy.ForAllValues:
			return "ForAllValues is true when the key is absent or empty; add a Null condition with \"false\" to require it"
		case c.op.Set == policy.ForAnyValue:
			return "ForAnyValue is false when the key is absent or empty"
		case c.neg:
			return why + ": a negated operator is true"
		}
		return why + ": the condition is false"
	}
	if len(missing) > 0 {
		k := compileKey(missing[0])
		if _, has := r.lookup(&k); has {
			return fmt.Sprintf("${%s} has several values in this request, and IAM substitutes only single-valued keys: that policy value matches nothing", missing[0])
		}
		return fmt.Sprintf("${%s} has no value in this request and no default: that policy value matches nothing", missing[0])
	}
	for i := 0; i < n; i++ {
		if _, valid := c.matchAny(v.At(i), r); !valid {
			return fmt.Sprintf("value %q is not %s", v.At(i), c.familyNoun())
		}
	}
	all := c.op.Set == policy.ForAllValues || (c.op.Set == policy.SetNone && c.neg)
	if all && !matched {
		for i := 0; i < n; i++ {
			if !c.satisfies(v.At(i), r) {
				if c.neg {
					return fmt.Sprintf("value %q matches a policy value", v.At(i))
				}
				return fmt.Sprintf("value %q matches none of the policy values", v.At(i))
			}
		}
	}
	if c.op.Set == policy.SetNone && n > 1 {
		if c.neg {
			return "multi-valued key: a negated operator is true only when no value matches"
		}
		return "multi-valued key: true when any value matches"
	}
	return ""
}

// familyNoun names what a request value must be for the family.
func (c *condition) familyNoun() string {
	switch c.family {
	case policy.FamilyNumeric:
		return "a number"
	case policy.FamilyDate:
		return "a date (ISO 8601 or epoch seconds)"
	case policy.FamilyBool:
		return "true or false"
	case policy.FamilyBinary:
		return "base64"
	case policy.FamilyIP:
		return "an IP address"
	}
	return "readable"
}
