package engine

import (
	"fmt"
	"slices"
	"strings"

	"gatehouse.dev/gatehouse/policy"
)

// patternVars explains the policy variables of pats that the request does
// not carry, and "${...}" text that is literal because the document lacks
// Version 2012-10-17.
func (hs *hintSet) patternVars(i, rank int, pats []*pattern, element string) {
	s := hs.ev.evals[i].s
	for _, p := range pats {
		for k := range p.toks {
			if t := &p.toks[k]; t.kind == tokVar {
				if _, ok := t.varValue(hs.ev.r); !ok {
					hs.missingKey(i, rank, t.key.full, true, fmt.Sprintf("in the %s of", element))
				}
			}
		}
		if !s.vars && strings.Contains(p.src, "${") {
			hs.literalVariable(i, rank, p.src, element)
		}
	}
}

func (hs *hintSet) literalVariable(i, rank int, text, element string) {
	hs.add(i, rank, HintLiteralVariable, "", fmt.Sprintf(
		"%s writes %q in its %s, but its document does not declare \"Version\": \"2012-10-17\", so IAM reads \"${...}\" as literal text, not a policy variable: add the Version",
		stmtName(&hs.ev.evals[i].s.ref), text, element))
}

// conditionNearMiss explains why condition j of statement i did not hold:
// its key or a variable in its values is missing, or a String value
// differs only in case.
func (hs *hintSet) conditionNearMiss(i, rank, j int) {
	s := hs.ev.evals[i].s
	ct := &hs.ev.evals[i].conds[j]
	op := ct.Operator
	if !ct.KeyPresent {
		hs.missingKey(i, rank, ct.Key, false, fmt.Sprintf("in the %s condition of", op))
	}
	if c := s.conds[j]; c.substitutes() {
		for _, v := range c.src {
			tmpl, err := policy.ParseTemplate(v, true)
			if err != nil || !tmpl.HasVars() {
				continue
			}
			if !c.varsOn {
				hs.literalVariable(i, rank, v, op+" condition")
				continue
			}
			for _, part := range tmpl {
				if part.Kind != policy.PartVar || part.HasDefault {
					continue
				}
				ref := compileKey(part.Text)
				if _, ok := hs.ev.r.lookupSingle(&ref); !ok {
					hs.missingKey(i, rank, part.Text, true, fmt.Sprintf("in a value of the %s condition of", op))
				}
			}
		}
	}
	if ct.KeyPresent && caseSensitiveOp(op) {
		for _, rv := range ct.RequestValues {
			for _, pv := range ct.PolicyValues {
				if rv != pv && strings.EqualFold(rv, pv) {
					hs.add(i, rank, HintCase, "", fmt.Sprintf(
						"the %s condition on %s in %s differs only in case: the request has %q, the policy says %q; %s compares case-sensitively (StringEqualsIgnoreCase does not)",
						op, ct.Key, stmtName(&s.ref), rv, pv, op))
					return
				}
			}
		}
	}
}

// caseSensitiveOp reports whether a condition operator compares strings
// case-sensitively in a way a case slip defeats.
func caseSensitiveOp(op string) bool {
	if strings.Contains(op, "IgnoreCase") {
		return false
	}
	return strings.Contains(op, "StringEquals") || strings.Contains(op, "StringLike")
}

// substitutes reports whether IAM substitutes policy variables in the
// condition's values: only for the String, ARN and Bool families (the
// rule condition.explain follows when it shows them).
func (c *condition) substitutes() bool {
	switch c.family {
	case policy.FamilyString, policy.FamilyArn, policy.FamilyBool:
		return true
	}
	return false
}

// missingKey explains a policy variable (asVar) or condition key that the
// request does not carry, naming the keys it does carry that look like it.
func (hs *hintSet) missingKey(i, rank int, key string, asVar bool, where string) {
	ref := compileKey(key)
	subject := "condition key " + key
	if asVar {
		subject = "${" + key + "}"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s ", subject, where, stmtName(&hs.ev.evals[i].s.ref))
	if v, ok := hs.ev.r.lookup(&ref); ok && asVar && v.Len() != 1 {
		fmt.Fprintf(&b, "has %d values in this request; a policy variable takes only a single-valued key, so nothing can match it", v.Len())
		hs.add(i, rank, HintMissingKey, "multi:"+strings.ToLower(key), b.String())
		return
	}
	if v, ok := hs.ev.r.lookup(&ref); ok && v.Len() == 0 {
		b.WriteString("is in this request with no values, which counts as absent")
	} else {
		b.WriteString("has no value in this request")
	}
	if asVar {
		b.WriteString(", so nothing can match it")
	}
	b.WriteString(hs.lookalikes(key, asVar))
	hs.add(i, rank, HintMissingKey, "missing:"+strings.ToLower(key), b.String())
}

// lookalikes says which carried keys look like the missing key, and what
// gatehouse calls it when it is a key of another system.
func (hs *hintSet) lookalikes(key string, asVar bool) string {
	var b strings.Builder
	use := func(k string) string {
		if asVar {
			return "write ${" + k + "}"
		}
		return "use " + k
	}
	note, server := serverKeys[strings.ToLower(key)]
	if server {
		fmt.Fprintf(&b, "; %s", note)
	}
	alias, hasAlias := aliasFor(key)
	if hasAlias {
		if v, ok := lookupVar(hs.vars, alias.target); ok {
			fmt.Fprintf(&b, "; the request carries %s = %s; %s: %s", alias.target, showValues(v.Values), alias.why, use(alias.target))
		} else {
			fmt.Fprintf(&b, "; %s, but the request does not carry %s either", alias.why, alias.target)
		}
	}
	var like []string
	caseOnly := false
	for _, v := range similarKeys(hs.vars, key) {
		if hasAlias && v.Key == alias.target {
			continue
		}
		caseOnly = caseOnly || strings.EqualFold(v.Key, key)
		like = append(like, fmt.Sprintf("%s = %s", v.Key, showValues(v.Values)))
	}
	switch {
	case len(like) > 0:
		fmt.Fprintf(&b, "; the request carries keys that look like it: %s", strings.Join(like, ", "))
		if caseOnly && compileKey(key).src == srcJWT {
			b.WriteString(" (claim names are case-sensitive)")
		}
	case !hasAlias && !server:
		b.WriteString(hs.carried(key))
	}
	return b.String()
}

// maxListedKeys bounds the keys listed when none looks like a missing one.
const maxListedKeys = 12

// carried lists the keys the request carries in the missing key's
// namespace (its token's claims for a jwt: key), or all of them.
func (hs *hintSet) carried(key string) string {
	prefix, _, _ := strings.Cut(key, ":")
	var same, all []string
	for _, v := range hs.vars {
		if v.Key == key || slices.Contains(all, v.Key) {
			continue
		}
		all = append(all, v.Key)
		if p, _, _ := strings.Cut(v.Key, ":"); strings.EqualFold(p, prefix) {
			same = append(same, v.Key)
		}
	}
	list, what := all, "the request carries"
	switch ref := compileKey(key); {
	case len(same) > 0:
		list, what = same, "the request's "+strings.ToLower(prefix)+": keys are"
		if ref.src == srcJWT {
			what = "this token's claims are"
		}
	case ref.src == srcJWT:
		return "; the request carries no token claims at all"
	}
	if len(list) == 0 {
		return "; the request carries no condition keys at all"
	}
	more := ""
	if len(list) > maxListedKeys {
		more = fmt.Sprintf(" and %d more", len(list)-maxListedKeys)
		list = list[:maxListedKeys]
	}
	return fmt.Sprintf("; %s %s%s", what, strings.Join(list, ", "), more)
}

// absentKeys explains the conditions of a statement that took part which
// hold only because their key is absent or empty: ForAllValues (true for a
// missing or empty key), ...IfExists, and negated operators.
func (hs *hintSet) absentKeys(i int) {
	se := &hs.ev.evals[i]
	for j := range se.conds {
		ct := &se.conds[j]
		if !ct.Matched || (ct.KeyPresent && len(ct.RequestValues) > 0) {
			continue
		}
		op := ct.Operator
		var why string
		switch {
		case strings.HasPrefix(op, "ForAllValues:"):
			why = "ForAllValues is true for a missing or empty key"
		case strings.HasSuffix(op, "IfExists"):
			why = "an ...IfExists operator is true when the key is absent"
		case strings.Contains(op, "Not"):
			why = "a negated operator is true when the key is absent"
		default:
			continue
		}
		msg := fmt.Sprintf("the %s condition on %s in %s holds only because the request does not carry %s (%s), ",
			op, ct.Key, stmtName(&se.s.ref), ct.Key, why)
		if se.s.deny {
			msg += "so the statement denies: if the caller should send " + ct.Key + ", check that it does"
		} else {
			msg += fmt.Sprintf("so the statement allows without it; to require the key, add \"Null\": {%q: \"false\"} to the statement's Condition", ct.Key)
		}
		hs.add(i, rankDecisive, HintMissingKey, "", msg)
	}
}
