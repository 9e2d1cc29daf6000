package policy

import "strings"

// condition checks one (operator, key) test: its key, that it has values,
// and that each value has the format its operator family compares.
//
// Policy variables are substituted in the values of String, Arn and Bool
// operators only (as the engine compiles them; IAM documents variables for
// string, ARN and boolean comparisons). There a value holding a variable
// (under Version 2012-10-17) is checked only for the variable's syntax: its
// format is known once the variable is substituted at evaluation time. In
// the other families "${...}" is literal text, which fails their format
// check.
func (v *validator) condition(c *Condition) {
	if c.Op.Base == OpUnknown {
		return // Parse reported the unknown operator.
	}
	op := opName(c)
	v.lintConditionKey(c, op)
	v.lintOperator(c, op)
	if len(c.Values) == 0 {
		v.error(CodeEmptyCondition, c.Key.Pos, condKeyPath(c),
			"%s on %s has no values, so it can never be evaluated: give at least one value, or remove the key",
			op, quote(c.Key.Value))
		return
	}
	fam := c.Op.Base.Family()
	for _, val := range c.Values {
		if fam == FamilyString || fam == FamilyArn || fam == FamilyBool {
			hasVars, ok := v.template(val, op+" value")
			if !ok || hasVars {
				continue
			}
		}
		v.conditionValue(c, op, val)
	}
}

// varHint explains why a value with "${" failed a format check.
func varHint(val string) string {
	if !strings.Contains(val, "${") {
		return ""
	}
	return "; policy variables are substituted only in String, Arn and Bool operators"
}

// opName returns a condition's operator as written, or its canonical name
// when it was built without one.
func opName(c *Condition) string {
	if c.Operator.Value != "" {
		return c.Operator.Value
	}
	return c.Op.String()
}

// condKeyPath returns the pointer of a condition's key.
func condKeyPath(c *Condition) string { return strPath(c.Key, "Condition") }

// conditionValue checks a value's format against its operator's family.
func (v *validator) conditionValue(c *Condition, op string, val Str) {
	at, ptr := val.Pos, strPath(val, "Condition")
	switch c.Op.Base.Family() {
	case FamilyNumeric:
		if err := checkNumber(val.Value); err != nil {
			v.error(CodeBadNumber, at, ptr,
				"%s value %s is not a number (%s%s): write an integer or decimal such as \"10\" or \"2.5\"",
				op, quote(val.Value), err, varHint(val.Value))
		}
	case FamilyDate:
		if _, err := parseDate(val.Value); err != nil {
			v.error(CodeBadDate, at, ptr,
				"%s value %s is not a date (%s%s): write an ISO 8601 date or time such as \"2020-01-31\" or \"2020-01-31T10:30:00Z\", or epoch seconds such as \"1580466600\"",
				op, quote(val.Value), err, varHint(val.Value))
		}
	case FamilyBool:
		if _, err := parseBoolValue(val.Value); err != nil {
			v.error(CodeBadBool, at, ptr,
				"%s value %s is not a boolean%s: write \"true\" or \"false\"", op, quote(val.Value), varHint(val.Value))
		}
	case FamilyNull:
		if _, err := parseBoolValue(val.Value); err != nil {
			v.error(CodeBadBool, at, ptr,
				"%s value %s is not a boolean%s: write \"true\" (the key must be absent) or \"false\" (the key must be present)",
				op, quote(val.Value), varHint(val.Value))
		}
	case FamilyBinary:
		if err := checkBinary(val.Value); err != nil {
			v.error(CodeBadBinary, at, ptr,
				"%s value %s is not base64 (%s%s): give the bytes in standard base64, such as \"QmluYXJ5VmFsdWU=\"",
				op, quote(val.Value), err, varHint(val.Value))
		}
	case FamilyIP:
		if _, err := parseIPValue(val.Value); err != nil {
			v.error(CodeBadCIDR, at, ptr,
				"%s value %s is not an IP address or CIDR block (%s%s): write one such as \"203.0.113.0/24\", \"203.0.113.7\" or \"2001:db8::/32\"",
				op, quote(val.Value), err, varHint(val.Value))
		}
	case FamilyArn:
		if _, err := splitARN(val.Value); err != nil {
			v.error(CodeBadARN, at, ptr,
				"%s value %s is not an ARN (%s): write all six parts, \"arn:partition:service:region:account:resource\"; a part may be empty or a wildcard, as in \"arn:aws:iam::*:role/*\"",
				op, quote(val.Value), err)
		}
	}
}
