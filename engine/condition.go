package engine

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"gatehouse.dev/gatehouse/policy"
)

// condition is one compiled (operator, key) test of a statement.
//
// Semantics, from the IAM User Guide ("IAM JSON policy elements: Condition
// operators", "Conditions with multiple context keys or values",
// "Single-valued vs. multivalued context keys", "Policy variables"):
//
//   - The policy values of one condition are ORed; a negated operator
//     (StringNotEquals, NotIpAddress, ...) holds when the request value
//     matches none of them (NOR).
//   - A key that is absent makes a positive operator false and a negated one
//     true; with ...IfExists an absent key makes the condition true; Null
//     tests presence. A key present with no values (an empty list) counts as
//     absent: the IAM guide's Null guard is documented to catch "missing
//     context keys or context keys with empty values".
//   - ForAllValues holds when every request value satisfies the operator
//     (and when the key is absent or empty); ForAnyValue when at least one
//     does (false when the key is absent or empty). With a negated operator
//     the operator is applied per request value: ForAllValues:StringNotEquals
//     means none of the request values is in the list.
//   - Without a set qualifier a multi-valued key is read as the set it is:
//     a positive operator holds when any request value matches (as
//     ForAnyValue), a negated operator when no request value matches (as
//     ForAllValues), so that X and NotX are complements whenever the key is
//     present and its values are well-formed.
//   - A request value that cannot be read for the operator's family (not a
//     number, date, address, boolean or base64) equals none of the policy
//     values: the positive operator is false and its negation true, so
//     NotX stays the complement of X. This fails closed for the classic
//     "Deny unless NotIpAddress corporate range": a garbage address is
//     denied. A request value that is not an ARN likewise matches no ARN
//     pattern (so ArnNotLike holds).
//   - Null ignores a set qualifier (IAM defines none for it).
type condition struct {
	op     policy.Operator
	opText string // the operator as written
	family policy.Family
	neg    bool // the base operator is a negated one
	key    keyRef
	// src are the policy values as written, for explain.
	src []string
	// vars are the keys of the policy variables the values refer to, in
	// order of first use, for explain's list of variables. varsOn records
	// whether the document substitutes variables at all.
	vars   []keyRef
	varsOn bool

	// String family (and Bool values with variables): patterns compiled
	// with wildcards for the Like operators and case folding for the
	// IgnoreCase ones. exactSet holds the values of a StringEquals with
	// many plain values, replacing the patterns for a map lookup.
	pats     []*pattern
	exactSet map[string]struct{}

	// Numeric and Date families: the parsed values and the comparison the
	// request value must pass against one of them (request on the left).
	nums  []decimal
	dates []instant
	cmp   cmpOp

	// Bool: the literal values allowed (variable-bearing values are in
	// pats).
	wantTrue, wantFalse bool

	// Binary: the decoded policy values.
	bins [][]byte

	// IP: the prefixes (single addresses as /32 or /128; IPv4-mapped IPv6
	// prefixes turned into IPv4 ones).
	nets []netip.Prefix

	// Arn family: the values compiled as patterns; matched part by part
	// (see arnMatch).
	arns []arnPattern

	// Null: which presence the values ask for ("true": absent, "false":
	// present).
	nullAbsent, nullPresent bool
}

// cmpOp is the ordered comparison of a Numeric or Date operator.
type cmpOp uint8

const (
	cmpEq cmpOp = iota // Equals, and NotEquals before negation
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// holds reports whether c (the sign of request - policy) passes op.
func (op cmpOp) holds(c int) bool {
	switch op {
	case cmpLt:
		return c < 0
	case cmpLe:
		return c <= 0
	case cmpGt:
		return c > 0
	case cmpGe:
		return c >= 0
	}
	return c == 0
}

// exactSetMin is the number of plain StringEquals values from which a map
// lookup replaces the linear scan.
const exactSetMin = 8

// errUnknownOperator is returned for an operator name IAM does not define.
var errUnknownOperator = errors.New("unknown condition operator")

// compileCondition compiles c; vars is true when the document has Version
// 2012-10-17 (policy variables substituted in condition values). It returns
// an error (never panics) for a value that cannot be parsed for its operator
// (bad number, date, CIDR, base64, bool or ARN).
//
// Numbers are kept as exact decimals (no float rounding: 9007199254740993 and
// 9007199254740992 differ), dates as instants (Unix seconds and nanoseconds),
// addresses as netip prefixes, binary values decoded, and String and ARN
// values as patterns with their variables resolved at evaluation.
func compileCondition(c *policy.Condition, vars bool) (*condition, error) {
	if c == nil {
		return nil, errors.New("no condition")
	}
	fam := c.Op.Base.Family()
	if fam == policy.FamilyUnknown {
		return nil, fmt.Errorf("%w %q", errUnknownOperator, c.Operator.Value)
	}
	cc := &condition{
		op:     c.Op,
		opText: c.Operator.Value,
		family: fam,
		neg:    c.Op.Base.Negated(),
		key:    compileKey(c.Key.Value),
		src:    make([]string, len(c.Values)),
		varsOn: vars,
	}
	if cc.opText == "" {
		cc.opText = c.Op.String()
	}
	for i, v := range c.Values {
		cc.src[i] = v.Value
	}
	var err error
	switch fam {
	case policy.FamilyString:
		err = cc.compileStrings(c.Values, vars)
	case policy.FamilyNumeric:
		err = cc.compileNumbers(c.Values)
	case policy.FamilyDate:
		err = cc.compileDates(c.Values)
	case policy.FamilyBool:
		err = cc.compileBools(c.Values, vars)
	case policy.FamilyBinary:
		err = cc.compileBinary(c.Values)
	case policy.FamilyIP:
		err = cc.compileIPs(c.Values)
	case policy.FamilyArn:
		err = cc.compileArns(c.Values, vars)
	case policy.FamilyNull:
		err = cc.compileNull(c.Values)
	}
	if err != nil {
		return nil, err
	}
	return cc, nil
}

func (c *condition) compileStrings(vals []policy.Str, vars bool) error {
	wild := c.op.Base == policy.OpStringLike || c.op.Base == policy.OpStringNotLike
	fold := c.op.Base == policy.OpStringEqualsIgnoreCase || c.op.Base == policy.OpStringNotEqualsIgnoreCase
	c.pats = make([]*pattern, len(vals))
	plain := 0
	for i, v := range vals {
		p := compilePattern(v.Value, wild, vars, fold)
		c.pats[i] = p
		c.addVars(p)
		if p.exact {
			plain++
		}
	}
	if !wild && !fold && plain == len(vals) && plain >= exactSetMin {
		c.exactSet = make(map[string]struct{}, plain)
		for _, p := range c.pats {
			c.exactSet[p.lit] = struct{}{}
		}
		c.pats = nil
	}
	return nil
}

func (c *condition) compileNumbers(vals []policy.Str) error {
	c.cmp = cmpFor(c.op.Base)
	c.nums = make([]decimal, len(vals))
	for i, v := range vals {
		d, ok := parseDecimal(v.Value)
		if !ok {
			return fmt.Errorf("value %q is not a number: %s compares integers or decimals such as 10 or 2.5%s",
				v.Value, c.op.Base, noVarsHint(v.Value))
		}
		c.nums[i] = d
	}
	return nil
}

func (c *condition) compileDates(vals []policy.Str) error {
	c.cmp = cmpFor(c.op.Base)
	c.dates = make([]instant, len(vals))
	for i, v := range vals {
		t, ok := parseInstant(v.Value)
		if !ok {
			return fmt.Errorf("value %q is not a date: write an ISO 8601 date such as 2025-01-31 or 2025-01-31T12:00:00Z, or epoch seconds such as 1735689600%s",
				v.Value, noVarsHint(v.Value))
		}
		c.dates[i] = t
	}
	return nil
}

func (c *condition) compileBools(vals []policy.Str, vars bool) error {
	for _, v := range vals {
		if b, ok := parseBool(v.Value); ok {
			if b {
				c.wantTrue = true
			} else {
				c.wantFalse = true
			}
			continue
		}
		// IAM allows policy variables with Bool; the substituted text is
		// compared, ignoring case, with the request's "true" or "false".
		if p := compilePattern(v.Value, false, vars, true); p.hasVars() {
			c.pats = append(c.pats, p)
			c.addVars(p)
			continue
		}
		return fmt.Errorf("value %q is not a boolean: Bool compares with \"true\" or \"false\"", v.Value)
	}
	return nil
}

func (c *condition) compileBinary(vals []policy.Str) error {
	c.bins = make([][]byte, len(vals))
	for i, v := range vals {
		b, ok := decodeBase64(v.Value)
		if !ok {
			return fmt.Errorf("value %q is not base64: BinaryEquals compares with the base64 encoding of the bytes, such as QmluYXJ5VmFsdWU=", v.Value)
		}
		c.bins[i] = b
	}
	return nil
}

func (c *condition) compileIPs(vals []policy.Str) error {
	c.nets = make([]netip.Prefix, len(vals))
	for i, v := range vals {
		p, ok := parsePrefix(v.Value)
		if !ok {
			return fmt.Errorf("value %q is not an IP address or CIDR range: write one such as 203.0.113.0/24, 203.0.113.7 or 2001:db8::/32%s",
				v.Value, noVarsHint(v.Value))
		}
		c.nets[i] = p
	}
	return nil
}

func (c *condition) compileArns(vals []policy.Str, vars bool) error {
	c.arns = make([]arnPattern, len(vals))
	for i, v := range vals {
		p := compilePattern(v.Value, true, vars, false)
		// An ARN has six colon-separated parts, and ARN operators match
		// each separately, so a value with fewer can never match. A
		// variable may stand for several parts (a whole ARN), so only
		// values without variables are checked.
		if !p.hasVars() && litColons(p) < 5 {
			return fmt.Errorf("value %q is not an ARN: %s matches the six parts arn:partition:service:region:account:resource separately, so write all six (wildcards allowed in each), e.g. arn:aws:iam::*:role/*",
				v.Value, c.op.Base)
		}
		c.arns[i] = arnPattern{p: p, split: litColons(p) >= 5}
		c.addVars(p)
	}
	return nil
}

func (c *condition) compileNull(vals []policy.Str) error {
	for _, v := range vals {
		b, ok := parseBool(v.Value)
		if !ok {
			return fmt.Errorf("value %q is not valid for Null: use \"true\" (the key is absent) or \"false\" (the key is present)", v.Value)
		}
		if b {
			c.nullAbsent = true
		} else {
			c.nullPresent = true
		}
	}
	return nil
}

// addVars records the variables of p for explain.
func (c *condition) addVars(p *pattern) {
	for i := range p.toks {
		t := &p.toks[i]
		if t.kind != tokVar {
			continue
		}
		dup := false
		for _, k := range c.vars {
			if strings.EqualFold(k.full, t.key.full) {
				dup = true
				break
			}
		}
		if !dup {
			c.vars = append(c.vars, t.key)
		}
	}
}

func cmpFor(b policy.OpBase) cmpOp {
	switch b {
	case policy.OpNumericLessThan, policy.OpDateLessThan:
		return cmpLt
	case policy.OpNumericLessThanEquals, policy.OpDateLessThanEquals:
		return cmpLe
	case policy.OpNumericGreaterThan, policy.OpDateGreaterThan:
		return cmpGt
	case policy.OpNumericGreaterThanEquals, policy.OpDateGreaterThanEquals:
		return cmpGe
	}
	return cmpEq
}

// noVarsHint explains a parse failure caused by a policy variable, which IAM
// does not allow with Numeric, Date or IP operators.
func noVarsHint(s string) string {
	if strings.Contains(s, "${") {
		return " (policy variables are allowed only with String, ARN and Bool operators)"
	}
	return ""
}

// parseBool reads "true" or "false", ignoring case, as IAM's Bool does.
func parseBool(s string) (v, ok bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// eval reports whether the condition holds for r. It does not allocate.
func (c *condition) eval(r *Request) bool {
	v, ok := r.lookup(&c.key)
	present := ok && v.Len() > 0
	if c.family == policy.FamilyNull {
		return (present && c.nullPresent) || (!present && c.nullAbsent)
	}
	if !present {
		return c.absent()
	}
	// Positive operators without a qualifier and ForAnyValue need one
	// request value to satisfy the operator; ForAllValues, and negated
	// operators without a qualifier, need every one to.
	all := c.op.Set == policy.ForAllValues || (c.op.Set == policy.SetNone && c.neg)
	for i, n := 0, v.Len(); i < n; i++ {
		if c.satisfies(v.At(i), r) != all {
			return !all
		}
	}
	return all
}

// absent is the outcome for a key that is absent or has no values.
func (c *condition) absent() bool {
	switch {
	case c.op.IfExists:
		return true
	case c.op.Set == policy.ForAllValues:
		return true
	case c.op.Set == policy.ForAnyValue:
		return false
	}
	return c.neg
}

// satisfies reports whether one request value passes the operator: it
// matches one of the policy values (positive operators) or none of them
// (negated operators). A value that cannot be read for the family matches
// no policy value.
func (c *condition) satisfies(s string, r *Request) bool {
	m, valid := c.matchAny(s, r)
	if !valid {
		return c.neg
	}
	return m != c.neg
}

// matchAny reports whether s matches at least one policy value under the
// positive form of the operator, and whether s could be read at all.
func (c *condition) matchAny(s string, r *Request) (match, valid bool) {
	switch c.family {
	case policy.FamilyString:
		if c.exactSet != nil {
			_, ok := c.exactSet[s]
			return ok, true
		}
		return anyMatch(c.pats, s, r), true
	case policy.FamilyNumeric:
		d, ok := parseDecimal(s)
		if !ok {
			return false, false
		}
		for i := range c.nums {
			if c.cmp.holds(d.cmp(&c.nums[i])) {
				return true, true
			}
		}
		return false, true
	case policy.FamilyDate:
		t, ok := parseInstant(s)
		if !ok {
			return false, false
		}
		for _, p := range c.dates {
			if c.cmp.holds(t.cmp(p)) {
				return true, true
			}
		}
		return false, true
	case policy.FamilyBool:
		b, ok := parseBool(s)
		if !ok {
			return false, false
		}
		if (b && c.wantTrue) || (!b && c.wantFalse) {
			return true, true
		}
		canon := "false"
		if b {
			canon = "true"
		}
		return anyMatch(c.pats, canon, r), true
	case policy.FamilyBinary:
		if len(c.bins) == 0 {
			valid, _ := base64Compare(s, nil)
			return false, valid
		}
		for _, b := range c.bins {
			valid, eq := base64Compare(s, b)
			if !valid {
				return false, false
			}
			if eq {
				return true, true
			}
		}
		return false, true
	case policy.FamilyIP:
		a, ok := parseRequestAddr(s)
		if !ok {
			return false, false
		}
		for _, p := range c.nets {
			if p.Contains(a) {
				return true, true
			}
		}
		return false, true
	case policy.FamilyArn:
		for i := range c.arns {
			if c.arns[i].match(s, r) {
				return true, true
			}
		}
		return false, true
	}
	return false, false
}
