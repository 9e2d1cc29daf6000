package policy

import "strings"

// OpBase is a condition operator without its set qualifier and IfExists
// suffix.
type OpBase uint8

// Condition operators, as listed in the IAM User Guide, "IAM JSON policy
// elements: Condition operators".
const (
	OpUnknown OpBase = iota
	OpStringEquals
	OpStringNotEquals
	OpStringEqualsIgnoreCase
	OpStringNotEqualsIgnoreCase
	OpStringLike
	OpStringNotLike
	OpNumericEquals
	OpNumericNotEquals
	OpNumericLessThan
	OpNumericLessThanEquals
	OpNumericGreaterThan
	OpNumericGreaterThanEquals
	OpDateEquals
	OpDateNotEquals
	OpDateLessThan
	OpDateLessThanEquals
	OpDateGreaterThan
	OpDateGreaterThanEquals
	OpBool
	OpBinaryEquals
	OpIPAddress
	OpNotIPAddress
	OpArnEquals
	OpArnLike
	OpArnNotEquals
	OpArnNotLike
	OpNull
	opCount
)

var opNames = [opCount]string{
	OpUnknown:                   "",
	OpStringEquals:              "StringEquals",
	OpStringNotEquals:           "StringNotEquals",
	OpStringEqualsIgnoreCase:    "StringEqualsIgnoreCase",
	OpStringNotEqualsIgnoreCase: "StringNotEqualsIgnoreCase",
	OpStringLike:                "StringLike",
	OpStringNotLike:             "StringNotLike",
	OpNumericEquals:             "NumericEquals",
	OpNumericNotEquals:          "NumericNotEquals",
	OpNumericLessThan:           "NumericLessThan",
	OpNumericLessThanEquals:     "NumericLessThanEquals",
	OpNumericGreaterThan:        "NumericGreaterThan",
	OpNumericGreaterThanEquals:  "NumericGreaterThanEquals",
	OpDateEquals:                "DateEquals",
	OpDateNotEquals:             "DateNotEquals",
	OpDateLessThan:              "DateLessThan",
	OpDateLessThanEquals:        "DateLessThanEquals",
	OpDateGreaterThan:           "DateGreaterThan",
	OpDateGreaterThanEquals:     "DateGreaterThanEquals",
	OpBool:                      "Bool",
	OpBinaryEquals:              "BinaryEquals",
	OpIPAddress:                 "IpAddress",
	OpNotIPAddress:              "NotIpAddress",
	OpArnEquals:                 "ArnEquals",
	OpArnLike:                   "ArnLike",
	OpArnNotEquals:              "ArnNotEquals",
	OpArnNotLike:                "ArnNotLike",
	OpNull:                      "Null",
}

// String returns the operator's IAM name.
func (b OpBase) String() string {
	if b < opCount {
		return opNames[b]
	}
	return ""
}

// Family is the kind of comparison an operator makes.
type Family uint8

// Operator families.
const (
	FamilyUnknown Family = iota
	FamilyString
	FamilyNumeric
	FamilyDate
	FamilyBool
	FamilyBinary
	FamilyIP
	FamilyArn
	FamilyNull
)

// Family returns the operator's family.
func (b OpBase) Family() Family {
	switch {
	case b >= OpStringEquals && b <= OpStringNotLike:
		return FamilyString
	case b >= OpNumericEquals && b <= OpNumericGreaterThanEquals:
		return FamilyNumeric
	case b >= OpDateEquals && b <= OpDateGreaterThanEquals:
		return FamilyDate
	case b == OpBool:
		return FamilyBool
	case b == OpBinaryEquals:
		return FamilyBinary
	case b == OpIPAddress || b == OpNotIPAddress:
		return FamilyIP
	case b >= OpArnEquals && b <= OpArnNotLike:
		return FamilyArn
	case b == OpNull:
		return FamilyNull
	}
	return FamilyUnknown
}

// Negated reports whether the operator is a negative match (StringNotEquals,
// NumericNotEquals, DateNotEquals, NotIpAddress, ArnNotEquals, ArnNotLike,
// StringNotLike, StringNotEqualsIgnoreCase). IAM evaluates a negated
// operator as true when the key is absent.
func (b OpBase) Negated() bool {
	switch b {
	case OpStringNotEquals, OpStringNotEqualsIgnoreCase, OpStringNotLike,
		OpNumericNotEquals, OpDateNotEquals, OpNotIPAddress,
		OpArnNotEquals, OpArnNotLike:
		return true
	}
	return false
}

// SetQualifier is the ForAllValues:/ForAnyValue: prefix of an operator.
type SetQualifier uint8

// Set qualifiers.
const (
	SetNone SetQualifier = iota
	ForAllValues
	ForAnyValue
)

// String returns "ForAllValues", "ForAnyValue" or "".
func (s SetQualifier) String() string {
	switch s {
	case ForAllValues:
		return "ForAllValues"
	case ForAnyValue:
		return "ForAnyValue"
	}
	return ""
}

// Operator is a parsed condition operator name.
type Operator struct {
	Base     OpBase
	Set      SetQualifier
	IfExists bool
}

// String returns the operator's canonical IAM spelling.
func (o Operator) String() string {
	var b strings.Builder
	if o.Set != SetNone {
		b.WriteString(o.Set.String())
		b.WriteByte(':')
	}
	b.WriteString(o.Base.String())
	if o.IfExists {
		b.WriteString("IfExists")
	}
	return b.String()
}

// ParseOperator parses a condition operator name such as
// "ForAnyValue:StringLikeIfExists". Names are case-sensitive, as in IAM. It
// reports false for a name that is not an IAM operator, including Null with
// IfExists (which IAM does not define).
func ParseOperator(name string) (Operator, bool) {
	var op Operator
	if rest, ok := strings.CutPrefix(name, "ForAllValues:"); ok {
		op.Set, name = ForAllValues, rest
	} else if rest, ok := strings.CutPrefix(name, "ForAnyValue:"); ok {
		op.Set, name = ForAnyValue, rest
	}
	if rest, ok := strings.CutSuffix(name, "IfExists"); ok {
		op.IfExists, name = true, rest
	}
	for b := OpStringEquals; b < opCount; b++ {
		if opNames[b] == name {
			op.Base = b
			if b == OpNull && op.IfExists {
				return Operator{}, false
			}
			return op, true
		}
	}
	return Operator{}, false
}

// SuggestOperator returns the IAM operator name closest to a misspelt one
// (differing only in case, or a known alias), or "".
func SuggestOperator(name string) string {
	prefix := ""
	for _, p := range []string{"ForAllValues:", "ForAnyValue:"} {
		if len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) {
			prefix, name = p, name[len(p):]
			break
		}
	}
	suffix := ""
	if len(name) > 8 && strings.EqualFold(name[len(name)-8:], "IfExists") {
		suffix, name = "IfExists", name[:len(name)-8]
	}
	for b := OpStringEquals; b < opCount; b++ {
		if strings.EqualFold(opNames[b], name) {
			return prefix + opNames[b] + suffix
		}
	}
	switch strings.ToLower(name) {
	case "ipaddresses", "ip":
		return prefix + "IpAddress" + suffix
	case "arnequal":
		return prefix + "ArnEquals" + suffix
	case "stringequal":
		return prefix + "StringEquals" + suffix
	case "boolean":
		return prefix + "Bool" + suffix
	}
	return ""
}
