package engine

import (
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/policy"
)

// Documents cited by the condition tests (AWS IAM User Guide):
//
//	[ops]   "IAM JSON policy elements: Condition operators"
//	[cond]  "IAM JSON policy elements: Condition"
//	[multi] "Conditions with multiple context keys or values"
//	[sets]  "Creating a condition that tests multiple key values (set operations)"
//	        and "Multivalued context key examples"
//	[svmv]  "Single-valued vs. multivalued context keys"
//	[vars]  "IAM policy elements: Variables and tags"
//	[conf]  the conformance corpus, engine/testdata/iam-cases.jsonl, by case id
//	[ours]  a choice gatehouse made where AWS is silent (see condition's doc)

// num and boolean are policy values written as JSON numbers and booleans.
func num(s string) policy.Str     { return policy.Str{Value: s, Kind: policy.KindNumber} }
func boolean(s string) policy.Str { return policy.Str{Value: s, Kind: policy.KindBool} }

// pv turns plain strings into string policy values.
func pv(vs ...string) []policy.Str {
	out := make([]policy.Str, len(vs))
	for i, v := range vs {
		out[i] = policy.Str{Value: v}
	}
	return out
}

// newCond compiles one condition, failing the test on an error.
func newCond(t testing.TB, op, key string, vars bool, vals []policy.Str) *condition {
	t.Helper()
	c, err := buildCond(op, key, vars, vals)
	if err != nil {
		t.Fatalf("%s %s %v: %v", op, key, vals, err)
	}
	return c
}

func buildCond(op, key string, vars bool, vals []policy.Str) (*condition, error) {
	o, _ := policy.ParseOperator(op)
	return compileCondition(&policy.Condition{
		Operator: policy.Str{Value: op},
		Op:       o,
		Key:      policy.Str{Value: key},
		Values:   vals,
	}, vars)
}

// ctx builds a request whose Context holds the given keys: a string value
// is single-valued, a []string value multi-valued (nil: present and empty).
func ctx(kv ...any) *Request {
	r := &Request{Context: map[string]Values{}}
	for i := 0; i+1 < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case string:
			r.Context[kv[i].(string)] = Values{v}
		case []string:
			r.Context[kv[i].(string)] = Values(v)
		}
	}
	return r
}

type condCase struct {
	name string
	op   string
	key  string
	vals []policy.Str
	req  *Request
	want bool
}

// A case whose name starts with "2008/" is compiled as part of a document
// without Version 2012-10-17 (no policy variables).

func runCondCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCond(t, tc.op, tc.key, !strings.HasPrefix(tc.name, "2008/"), tc.vals)
			if got := c.eval(tc.req); got != tc.want {
				tr := c.explain(tc.req)
				t.Errorf("%s %q %v on %v = %v, want %v (trace %+v)", tc.op, tc.key, tc.vals, tc.req.Context, got, tc.want, tr)
			}
			if tr := c.explain(tc.req); tr.Matched != tc.want {
				t.Errorf("explain disagrees with eval: %+v", tr)
			}
		})
	}
}

func TestStringOperators(t *testing.T) {
	const k = "aws:PrincipalTag/department"
	runCondCases(t, []condCase{
		// [cond]: StringEquals is case-sensitive: "Users named John are denied access".
		{"equals/exact", "StringEquals", "aws:username", pv("john"), ctx("aws:username", "john"), true},
		{"equals/case-sensitive", "StringEquals", "aws:username", pv("john"), ctx("aws:username", "John"), false},
		// [cond]: context key names are not case-sensitive.
		{"equals/key name folds case", "StringEquals", "AWS:UserName", pv("john"), ctx("aws:username", "john"), true},
		// [multi]: several values for one key are ORed. [conf] cond-stringequals-005.
		{"equals/values ORed", "StringEquals", "aws:PrincipalTag/role", pv("audit", "security"), ctx("aws:PrincipalTag/role", "security"), true},
		{"equals/none of the values", "StringEquals", "aws:PrincipalTag/role", pv("audit", "security"), ctx("aws:PrincipalTag/role", "payroll"), false},
		// [ops]: StringEquals has no wildcards; * is literal.
		{"equals/star is literal", "StringEquals", k, pv("*"), ctx(k, "finance"), false},
		{"equals/star matches a star", "StringEquals", k, pv("*"), ctx(k, "*"), true},
		// [multi]: a negated operator with several values is a NOR. [conf] cond-stringnotequals-001/002.
		{"not equals/differs", "StringNotEquals", k, pv("contractor"), ctx(k, "finance"), true},
		{"not equals/equal", "StringNotEquals", k, pv("contractor"), ctx(k, "contractor"), false},
		{"not equals/NOR: in the list", "StringNotEquals", k, pv("a", "b"), ctx(k, "b"), false},
		{"not equals/NOR: in none", "StringNotEquals", k, pv("a", "b"), ctx(k, "c"), true},
		// [ops]: IgnoreCase. [conf] cond-stringequalsignorecase-002, cond-minio-stringequalsignorecase-001.
		{"equals ignore case/match", "StringEqualsIgnoreCase", k, pv("finance", "hr"), ctx(k, "HR"), true},
		{"equals ignore case/none", "StringEqualsIgnoreCase", k, pv("finance", "hr", "legal"), ctx(k, "Marketing"), false},
		{"not equals ignore case/equal but for case", "StringNotEqualsIgnoreCase", k, pv("hr"), ctx(k, "HR"), false},
		{"not equals ignore case/differs", "StringNotEqualsIgnoreCase", k, pv("hr"), ctx(k, "legal"), true},
		// [ops]: StringLike: * multi-character, ? single-character wildcards, case-sensitive. [conf] cond-stringlike-001/002/005.
		{"like/star", "StringLike", "ec2:InstanceType", pv("t1.*", "t2.*", "m3.*"), ctx("ec2:InstanceType", "t2.micro"), true},
		{"like/no pattern matches", "StringLike", "ec2:InstanceType", pv("t1.*", "t2.*", "m3.*"), ctx("ec2:InstanceType", "m5.large"), false},
		{"like/question mark", "StringLike", "aws:PrincipalTag/team", pv("team-?"), ctx("aws:PrincipalTag/team", "team-a"), true},
		{"like/question mark is one character", "StringLike", "aws:PrincipalTag/team", pv("team-?"), ctx("aws:PrincipalTag/team", "team-ab"), false},
		{"like/star spans slashes and colons", "StringLike", "s3:prefix", pv("home/*"), ctx("s3:prefix", "home/a/b:c"), true},
		{"like/case-sensitive", "StringLike", "s3:prefix", pv("Home/*"), ctx("s3:prefix", "home/x"), false},
		{"like/you must specify wildcards for partial matches", "StringLike", "s3:prefix", pv("home"), ctx("s3:prefix", "home/x"), false},
		{"like/empty value matches empty", "StringLike", "s3:prefix", pv("", "home/"), ctx("s3:prefix", ""), true},
		// [ops]: StringNotLike, a NOR over patterns. [conf] cond-stringnotlike-001, cond-minio-stringnotlike-002.
		{"not like/no match", "StringNotLike", "s3:prefix", pv("private/*"), ctx("s3:prefix", "public/docs/"), true},
		{"not like/match", "StringNotLike", "s3:prefix", pv("private/*"), ctx("s3:prefix", "private/x"), false},
		{"not like/NOR", "StringNotLike", "s3:LocationConstraint", pv("eu-west-*", "ap-southeast-1"), ctx("s3:LocationConstraint", "us-east-1"), true},
		// API.md §3: a number or boolean compared by a String operator compares as its JSON text.
		{"number as text/same text", "StringEquals", "s3:max-keys", []policy.Str{num("10")}, ctx("s3:max-keys", "10"), true},
		{"number as text/other text", "StringEquals", "s3:max-keys", []policy.Str{num("10.0")}, ctx("s3:max-keys", "10"), false},
		{"bool as text", "StringEquals", "aws:SecureTransport", []policy.Str{boolean("true")}, ctx("aws:SecureTransport", "true"), true},
	})
}

func TestMissingKeyAndIfExists(t *testing.T) {
	empty := ctx("other", "x")
	emptyList := ctx("k", []string(nil))
	runCondCases(t, []condCase{
		// [ops] "Important": an absent key makes the condition false, or true
		// for an operator that requires the key not to match.
		{"positive/absent", "StringEquals", "k", pv("a"), empty, false},
		{"StringNotEquals/absent", "StringNotEquals", "k", pv("a"), empty, true},
		{"StringNotLike/absent", "StringNotLike", "k", pv("a*"), empty, true},
		{"StringNotEqualsIgnoreCase/absent", "StringNotEqualsIgnoreCase", "k", pv("a"), empty, true},
		{"NumericNotEquals/absent", "NumericNotEquals", "k", pv("1"), empty, true},
		{"NumericEquals/absent", "NumericEquals", "k", pv("1"), empty, false},
		// [conf] cond-date-011.
		{"DateNotEquals/absent", "DateNotEquals", "k", pv("2025-01-01T00:00:00Z"), empty, true},
		{"NotIpAddress/absent", "NotIpAddress", "k", pv("10.0.0.0/8"), empty, true},
		{"IpAddress/absent", "IpAddress", "k", pv("10.0.0.0/8"), empty, false},
		{"ArnNotLike/absent", "ArnNotLike", "k", pv("arn:aws:iam::*:role/*"), empty, true},
		// [conf] cond-bool-004.
		{"Bool/absent", "Bool", "k", pv("true"), empty, false},
		{"BinaryEquals/absent", "BinaryEquals", "k", pv("AAAA"), empty, false},
		// [ops] ...IfExists: "If the key is not present, evaluate the condition
		// element as true". [conf] cond-ifexists-010, cond-minio-numeric-ifexists-001.
		{"IfExists/absent", "StringLikeIfExists", "k", pv("t2.*"), empty, true},
		{"IfExists/numeric absent", "NumericGreaterThanIfExists", "k", pv("1800"), empty, true},
		{"IfExists/present and matching", "StringLikeIfExists", "k", pv("t2.*"), ctx("k", "t2.small"), true},
		{"IfExists/present, not matching", "StringLikeIfExists", "k", pv("t2.*"), ctx("k", "m5.large"), false},
		// [ops]: "with a negated condition operator like StringNotEqualsIfExists,
		// the request is still denied even if the tag is missing". [conf] cond-ifexists-005/006.
		{"negated IfExists/absent", "StringNotEqualsIfExists", "k", pv("aws:kms"), empty, true},
		{"negated IfExists/present, differs", "StringNotEqualsIfExists", "k", pv("aws:kms"), ctx("k", "AES256"), true},
		{"negated IfExists/present, equal", "StringNotEqualsIfExists", "k", pv("aws:kms"), ctx("k", "aws:kms"), false},
		// [conf] match-notaction-009/010.
		{"BoolIfExists/present true", "BoolIfExists", "aws:MultiFactorAuthPresent", pv("false"), ctx("aws:MultiFactorAuthPresent", "true"), false},
		{"BoolIfExists/present false", "BoolIfExists", "aws:MultiFactorAuthPresent", pv("false"), ctx("aws:MultiFactorAuthPresent", "false"), true},
		{"BoolIfExists/absent", "BoolIfExists", "aws:MultiFactorAuthPresent", pv("false"), empty, true},
		// [ours], after [sets] ("missing context keys or context keys with empty
		// values"): a key present with an empty list is treated as absent.
		{"empty list/positive", "StringEquals", "k", pv("a"), emptyList, false},
		{"empty list/negated", "StringNotEquals", "k", pv("a"), emptyList, true},
		{"empty list/IfExists", "StringEqualsIfExists", "k", pv("a"), emptyList, true},
	})
}

func TestNullOperator(t *testing.T) {
	runCondCases(t, []condCase{
		// [ops] Null: "true" (the key doesn't exist — it is null) or "false"
		// (the key exists and its value is not null). [conf] cond-null-003.
		{"true/absent", "Null", "aws:TokenIssueTime", pv("true"), ctx(), true},
		{"true/present", "Null", "aws:TokenIssueTime", pv("true"), ctx("aws:TokenIssueTime", "2025-01-01T00:00:00Z"), false},
		{"false/present", "Null", "aws:RequestTag/project", pv("false"), ctx("aws:RequestTag/project", "apollo"), true},
		{"false/absent", "Null", "aws:RequestTag/project", pv("false"), ctx(), false},
		// [sets]: the Null guard with "false" keeps "context keys with empty
		// values" from passing, so an empty list counts as null.
		{"false/empty list", "Null", "aws:TagKeys", pv("false"), ctx("aws:TagKeys", []string{}), false},
		{"true/empty list", "Null", "aws:TagKeys", pv("true"), ctx("aws:TagKeys", []string{}), true},
		// A present key whose value is the empty string is present.
		{"false/empty string", "Null", "s3:prefix", pv("false"), ctx("s3:prefix", ""), true},
		{"case-insensitive", "Null", "k", pv("TRUE"), ctx(), true},
		{"written as a JSON boolean", "Null", "k", []policy.Str{boolean("true")}, ctx(), true},
		// [multi]: values are ORed, so both values always hold.
		{"true or false/absent", "Null", "k", pv("true", "false"), ctx(), true},
		{"true or false/present", "Null", "k", pv("true", "false"), ctx("k", "v"), true},
	})
}

func TestNumericOperators(t *testing.T) {
	const k = "s3:max-keys"
	runCondCases(t, []condCase{
		// [ops]: the s3:max-keys example, "up to 10". [conf] cond-numeric-002.
		{"lte/equal", "NumericLessThanEquals", k, pv("10"), ctx(k, "10"), true},
		{"lte/greater", "NumericLessThanEquals", k, pv("10"), ctx(k, "11"), false},
		// [conf] cond-minio-numeric-002..010.
		{"eq/differs", "NumericEquals", k, pv("16"), ctx(k, "61"), false},
		{"ne/equal", "NumericNotEquals", k, pv("16"), ctx(k, "16"), false},
		{"ne/differs", "NumericNotEquals", k, pv("16"), ctx(k, "61"), true},
		{"gt/greater", "NumericGreaterThan", k, pv("16"), ctx(k, "61"), true},
		{"gte/equal", "NumericGreaterThanEquals", k, pv("16"), ctx(k, "16"), true},
		{"gte/less", "NumericGreaterThanEquals", k, pv("16"), ctx(k, "6"), false},
		{"lt/less", "NumericLessThan", k, pv("16"), ctx(k, "6"), true},
		{"lt/equal", "NumericLessThan", k, pv("16"), ctx(k, "16"), false},
		// [ops]: "an integer or decimal value". [conf] cond-numeric-006.
		{"decimal/2.25 < 2.5", "NumericLessThan", "example:ratio", pv("2.5"), ctx("example:ratio", "2.25"), true},
		{"int equals float", "NumericEquals", k, pv("16"), ctx(k, "16.0"), true},
		{"exponent", "NumericEquals", k, pv("16"), ctx(k, "1.6e1"), true},
		{"leading zeros", "NumericEquals", k, pv("7"), ctx(k, "007"), true},
		{"negative", "NumericGreaterThan", k, pv("-1"), ctx(k, "0"), true},
		{"minus zero is zero", "NumericEquals", k, pv("0"), ctx(k, "-0.0"), true},
		{"written as a JSON number", "NumericEquals", k, []policy.Str{num("2.50")}, ctx(k, "2.5"), true},
		// [ours]: exact decimals, no float rounding beyond 2^53.
		{"exact beyond float64", "NumericEquals", "example:id", pv("9007199254740993"), ctx("example:id", "9007199254740992"), false},
		{"exact ordering beyond float64", "NumericGreaterThan", "example:id", pv("9007199254740992"), ctx("example:id", "9007199254740993"), true},
		{"tiny fractions", "NumericLessThan", "example:x", pv("0.1000000000000000000001"), ctx("example:x", "0.1"), true},
		// [multi]: values ORed; negated NOR.
		{"values ORed", "NumericEquals", k, pv("1", "2"), ctx(k, "2"), true},
		{"negated NOR/in list", "NumericNotEquals", k, pv("1", "2"), ctx(k, "2"), false},
		{"negated NOR/not in list", "NumericNotEquals", k, pv("1", "2"), ctx(k, "3"), true},
		// A request value that is not a number equals no policy value: the
		// positive operator is false, its negation true (fails closed for
		// Deny + Not... conditions).
		{"not a number", "NumericLessThan", k, pv("10"), ctx(k, "ten"), false},
		{"not a number/negated", "NumericNotEquals", k, pv("10"), ctx(k, "ten"), true},
		{"not a number/Inf", "NumericGreaterThan", k, pv("10"), ctx(k, "Inf"), false},
		{"not a number/hex", "NumericEquals", k, pv("16"), ctx(k, "0x10"), false},
		{"not a number/space", "NumericEquals", k, pv("16"), ctx(k, " 16"), false},
	})
}

func TestDateOperators(t *testing.T) {
	runCondCases(t, []condCase{
		// [ops]: the aws:TokenIssueTime example. [conf] cond-date-002.
		{"gt/before", "DateGreaterThan", "aws:TokenIssueTime", pv("2020-01-01T00:00:01Z"), ctx("aws:TokenIssueTime", "2019-12-31T23:59:59Z"), false},
		{"gt/after", "DateGreaterThan", "aws:TokenIssueTime", pv("2020-01-01T00:00:01Z"), ctx("aws:TokenIssueTime", "2020-06-01T00:00:00Z"), true},
		// [conf] cond-date-004, cond-date-006.
		{"lt/one second before", "DateLessThan", "aws:CurrentTime", pv("2025-01-01T00:00:00Z"), ctx("aws:CurrentTime", "2024-12-31T23:59:59Z"), true},
		{"lte/same instant", "DateLessThanEquals", "aws:CurrentTime", pv("2025-01-01T00:00:00Z"), ctx("aws:CurrentTime", "2025-01-01T00:00:00Z"), true},
		{"lt/same instant", "DateLessThan", "aws:CurrentTime", pv("2025-01-01T00:00:00Z"), ctx("aws:CurrentTime", "2025-01-01T00:00:00Z"), false},
		// [ops]: epoch (UNIX) time on either side. [conf] cond-date-008.
		{"epoch/both sides", "DateGreaterThanEquals", "aws:EpochTime", pv("1735689600"), ctx("aws:EpochTime", "1735689599"), false},
		{"epoch/policy ISO, request epoch", "DateEquals", "aws:EpochTime", pv("2025-01-01T00:00:00Z"), ctx("aws:EpochTime", "1735689600"), true},
		{"epoch/policy epoch, request ISO", "DateEquals", "aws:CurrentTime", []policy.Str{num("1735689600")}, ctx("aws:CurrentTime", "2025-01-01T00:00:00Z"), true},
		// Instants are compared, whatever the zone they are written in.
		{"zones/same instant", "DateEquals", "aws:CurrentTime", pv("2025-01-01T01:00:00+01:00"), ctx("aws:CurrentTime", "2025-01-01T00:00:00Z"), true},
		{"zones/negative offset", "DateLessThan", "aws:CurrentTime", pv("2024-12-31T20:00:00-05:00"), ctx("aws:CurrentTime", "2025-01-01T00:59:59Z"), true},
		{"zones/basic offset", "DateEquals", "aws:CurrentTime", pv("2025-01-01T05:30:00+0530"), ctx("aws:CurrentTime", "2025-01-01T00:00:00Z"), true},
		// W3C ISO 8601 profiles: date only is midnight UTC; fractional seconds count.
		{"date only", "DateLessThan", "aws:CurrentTime", pv("2025-01-01"), ctx("aws:CurrentTime", "2024-12-31T23:59:59Z"), true},
		{"year and month", "DateGreaterThanEquals", "aws:CurrentTime", pv("2025-02"), ctx("aws:CurrentTime", "2025-02-01T00:00:00Z"), true},
		{"year only", "DateLessThan", "aws:CurrentTime", pv("2025"), ctx("aws:CurrentTime", "2024-12-31T23:59:59Z"), true},
		{"fraction", "DateGreaterThan", "aws:CurrentTime", pv("2025-01-01T00:00:00Z"), ctx("aws:CurrentTime", "2025-01-01T00:00:00.001Z"), true},
		{"minutes only", "DateEquals", "aws:CurrentTime", pv("2025-01-01T10:30Z"), ctx("aws:CurrentTime", "2025-01-01T10:30:00Z"), true},
		{"epoch fraction", "DateLessThan", "aws:EpochTime", pv("1735689600.5"), ctx("aws:EpochTime", "1735689600.25"), true},
		{"before 1970", "DateLessThan", "aws:CurrentTime", pv("1970-01-01T00:00:00Z"), ctx("aws:CurrentTime", "-1"), true},
		// [multi]: NOR for DateNotEquals.
		{"ne/one of the values", "DateNotEquals", "aws:CurrentTime", pv("2025-01-01", "2026-01-01"), ctx("aws:CurrentTime", "2026-01-01T00:00:00Z"), false},
		// A request value that is not a date equals no policy date.
		{"not a date", "DateLessThan", "aws:CurrentTime", pv("2025-01-01"), ctx("aws:CurrentTime", "yesterday"), false},
		{"not a date/negated", "DateNotEquals", "aws:CurrentTime", pv("2025-01-01"), ctx("aws:CurrentTime", "yesterday"), true},
		{"not a date/Feb 30", "DateLessThan", "aws:CurrentTime", pv("2025-04-01"), ctx("aws:CurrentTime", "2025-02-30"), false},
	})
}

func TestBoolBinaryOperators(t *testing.T) {
	const k = "aws:SecureTransport"
	const bin = "QmluYXJ5VmFsdWVJbkJhc2U2NA==" // [ops]' example, "BinaryValueInBase64"
	runCondCases(t, []condCase{
		// [ops] Bool: the aws:SecureTransport example. [conf] cond-bool-003.
		{"bool/false matches false", "Bool", k, pv("false"), ctx(k, "false"), true},
		{"bool/false vs true", "Bool", k, pv("false"), ctx(k, "true"), false},
		{"bool/case-insensitive", "Bool", k, pv("true"), ctx(k, "TRUE"), true},
		{"bool/JSON boolean", "Bool", k, []policy.Str{boolean("true")}, ctx(k, "true"), true},
		{"bool/not a boolean", "Bool", k, pv("true"), ctx(k, "yes"), false},
		// [ops]: "You can use a policy variable with the Boolean condition operator".
		{"bool/variable", "Bool", k, pv("${example:expected}"), ctx(k, "True", "example:expected", "true"), true},
		{"bool/variable differs", "Bool", k, pv("${example:expected}"), ctx(k, "false", "example:expected", "true"), false},
		{"bool/variable default", "Bool", k, pv("${example:expected, 'false'}"), ctx(k, "false"), true},
		// [ops] BinaryEquals compares byte for byte with the base64 value.
		{"binary/same", "BinaryEquals", "example:blob", pv(bin), ctx("example:blob", bin), true},
		{"binary/unpadded request", "BinaryEquals", "example:blob", pv(bin), ctx("example:blob", strings.TrimRight(bin, "=")), true},
		{"binary/unpadded policy", "BinaryEquals", "example:blob", pv(strings.TrimRight(bin, "=")), ctx("example:blob", bin), true},
		{"binary/differs", "BinaryEquals", "example:blob", pv(bin), ctx("example:blob", "QmluYXJ5"), false},
		{"binary/prefix is not equal", "BinaryEquals", "example:blob", pv("QmluYXJ5"), ctx("example:blob", bin), false},
		{"binary/one of several", "BinaryEquals", "example:blob", pv("AAAA", bin), ctx("example:blob", bin), true},
		{"binary/not base64", "BinaryEquals", "example:blob", pv(bin), ctx("example:blob", "!!!"), false},
		{"binary/empty", "BinaryEquals", "example:blob", pv(""), ctx("example:blob", ""), true},
	})
}

func TestIPOperators(t *testing.T) {
	const k = "aws:SourceIp"
	both := pv("203.0.113.0/24", "2001:DB8:1234:5678::/64")
	runCondCases(t, []condCase{
		// [ops]: "the request must come from the IP range 203.0.113.0 to 203.0.113.255".
		{"v4/in range", "IpAddress", k, pv("203.0.113.0/24"), ctx(k, "203.0.113.255"), true},
		{"v4/out of range", "IpAddress", k, pv("203.0.113.0/24"), ctx(k, "203.0.114.0"), false},
		// [ops]: an address without a prefix is /32. [conf] cond-ip-007.
		{"v4/single address", "IpAddress", k, pv("203.0.113.7"), ctx(k, "203.0.113.7"), true},
		{"v4/single address neighbour", "IpAddress", k, pv("203.0.113.7"), ctx(k, "203.0.113.8"), false},
		{"v4/host bits in the range", "IpAddress", k, pv("203.0.113.7/24"), ctx(k, "203.0.113.200"), true},
		// [ops]: mixing IPv4 and IPv6 ranges. [conf] cond-ip-005.
		{"v6/in range", "IpAddress", k, both, ctx(k, "2001:db8:1234:5678::1"), true},
		{"v6/out of range", "IpAddress", k, both, ctx(k, "2001:db8:1234:5679::1"), false},
		{"v6/v4 in mixed list", "IpAddress", k, both, ctx(k, "203.0.113.9"), true},
		{"v6/single address is /128", "IpAddress", k, pv("2001:db8::1"), ctx(k, "2001:db8::2"), false},
		{"v6/zone ignored", "IpAddress", k, pv("fe80::/10"), ctx(k, "fe80::1%eth0"), true},
		// [ours]: IPv4-mapped IPv6 addresses are the IPv4 address they map.
		{"mapped/request", "IpAddress", k, pv("203.0.113.0/24"), ctx(k, "::ffff:203.0.113.7"), true},
		{"mapped/policy", "IpAddress", k, pv("::ffff:203.0.113.0/120"), ctx(k, "203.0.113.9"), true},
		{"mapped/v6 range does not cover v4", "IpAddress", k, pv("::/0"), ctx(k, "203.0.113.9"), false},
		// [ops] NotIpAddress: all addresses except the range. [conf] cond-ip-010.
		{"not/outside", "NotIpAddress", k, pv("192.0.2.0/24", "203.0.113.0/24"), ctx(k, "198.51.100.10"), true},
		{"not/inside", "NotIpAddress", k, pv("192.0.2.0/24", "203.0.113.0/24"), ctx(k, "203.0.113.10"), false},
		// A request value that is not an address satisfies neither.
		{"not an address", "IpAddress", k, pv("0.0.0.0/0"), ctx(k, "localhost"), false},
		{"not an address/negated", "NotIpAddress", k, pv("10.0.0.0/8"), ctx(k, "localhost"), true},
		{"not an address/CIDR", "IpAddress", k, pv("10.0.0.0/8"), ctx(k, "10.0.0.0/8"), false},
	})
}

func TestArnOperators(t *testing.T) {
	const k = "aws:SourceArn"
	const topic = "arn:aws:sns:us-east-2:123456789012:TOPIC-ID"
	runCondCases(t, []condCase{
		// [ops]: the SQS queue / SNS topic example. [conf] cond-arn-002.
		{"equals/same", "ArnEquals", k, pv(topic), ctx(k, topic), true},
		{"equals/other topic", "ArnEquals", k, pv(topic), ctx(k, "arn:aws:sns:us-east-2:123456789012:OTHER"), false},
		// [ops]: "The ArnEquals and ArnLike condition operators behave identically":
		// both take * and ? in each part. [conf] cond-arn-006.
		{"equals/wildcards", "ArnEquals", "aws:PrincipalArn", pv("arn:aws:iam::*:role/team-*"), ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:role/team-prod"), true},
		{"like/wildcards", "ArnLike", "aws:PrincipalArn", pv("arn:aws:iam::*:role/team-*"), ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:role/team-prod"), true},
		{"like/question mark", "ArnLike", "aws:PrincipalArn", pv("arn:aws:ec2:*:*:instance/i-?????"), ctx("aws:PrincipalArn", "arn:aws:ec2:us-east-1:1:instance/i-12345"), true},
		{"like/empty parts", "ArnLike", k, pv("arn:aws:s3:*:*:bucket"), ctx(k, "arn:aws:s3:::bucket"), true},
		{"like/case-sensitive", "ArnLike", "aws:PrincipalArn", pv("arn:aws:iam::*:role/Admin"), ctx("aws:PrincipalArn", "arn:aws:iam::1:role/admin"), false},
		// [ops]: each of the six parts is matched separately, so * does not
		// cross the colons between them — the documented example...
		{"like/doc example", "ArnLike", k, pv("arn:aws:someservice:*:111122223333:finance/*"),
			ctx(k, "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"), false},
		// ...where StringLike does match.
		{"like/doc example with StringLike", "StringLike", k, pv("arn:aws:someservice:*:111122223333:finance/*"),
			ctx(k, "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"), true},
		// The sixth part (resource) keeps its colons.
		{"like/colons in the resource part", "ArnLike", k, pv("arn:aws:logs:us-east-1:123456789012:log-group:app:*"),
			ctx(k, "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:web"), true},
		{"like/question mark in the resource part takes a colon", "ArnLike", k, pv("arn:aws:logs:*:*:log-group?app"),
			ctx(k, "arn:aws:logs:us-east-1:1:log-group:app"), true},
		{"like/question mark never takes a separating colon", "ArnLike", k, pv("arn:aws:s3?::x:y"), ctx(k, "arn:aws:s3:::x:y"), false},
		{"equals/resource part with colons", "ArnEquals", k, pv("arn:aws:logs:us-east-1:1:log-group:app"), ctx(k, "arn:aws:logs:us-east-1:1:log-group:app"), true},
		// A request value that is not an ARN matches no ARN pattern.
		{"like/not an ARN", "ArnLike", k, pv("arn:*:*:*:*:*"), ctx(k, "not-an-arn"), false},
		{"not like/not an ARN", "ArnNotLike", k, pv("arn:*:*:*:*:*"), ctx(k, "not-an-arn"), true},
		// [ops]: ArnNotEquals/ArnNotLike, negated. [conf] cond-arn-008.
		{"not like/outside", "ArnNotLike", "aws:PrincipalArn", pv("arn:aws:iam::*:role/team-*"), ctx("aws:PrincipalArn", "arn:aws:iam::1:role/ops"), true},
		{"not like/inside", "ArnNotLike", "aws:PrincipalArn", pv("arn:aws:iam::*:role/team-*"), ctx("aws:PrincipalArn", "arn:aws:iam::1:role/team-a"), false},
		{"not equals/wildcards too", "ArnNotEquals", "aws:PrincipalArn", pv("arn:aws:iam::*:role/*"), ctx("aws:PrincipalArn", "arn:aws:iam::1:role/x"), false},
		// [ops]/[vars]: policy variables in ARN operators.
		{"variable/in the resource part", "ArnEquals", "aws:PrincipalArn", pv("arn:aws:iam::123456789012:user/${aws:username}"),
			ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:user/alice", "aws:username", "alice"), true},
		{"variable/other user", "ArnEquals", "aws:PrincipalArn", pv("arn:aws:iam::123456789012:user/${aws:username}"),
			ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:user/bob", "aws:username", "alice"), false},
		{"variable/a whole ARN", "ArnEquals", k, pv("${aws:PrincipalArn}"),
			ctx(k, "arn:aws:iam::1:role/r", "aws:PrincipalArn", "arn:aws:iam::1:role/r"), true},
		{"variable/a whole ARN, different", "ArnEquals", k, pv("${aws:PrincipalArn}"),
			ctx(k, "arn:aws:iam::1:role/r", "aws:PrincipalArn", "arn:aws:iam::2:role/r"), false},
		// [ours]: a variable inside one part never supplies a separating colon.
		{"variable/cannot add a part", "ArnLike", k, pv("arn:aws:iam::${example:acct}:role/*"),
			ctx(k, "arn:aws:iam::1:2:role/r", "example:acct", "1:2"), false},
		{"variable/with wildcard account", "ArnLike", k, pv("arn:aws:sqs:us-east-2:*:${aws:username}-queue"),
			ctx(k, "arn:aws:sqs:us-east-2:1:alice-queue", "aws:username", "alice"), true},
	})
}

func TestSetOperators(t *testing.T) {
	const tags = "aws:TagKeys"
	runCondCases(t, []condCase{
		// [sets] ForAllValues: every request value matches at least one policy value.
		{"all/subset", "ForAllValues:StringEquals", tags, pv("environment", "cost-center"), ctx(tags, []string{"environment"}), true},
		{"all/one outside", "ForAllValues:StringEquals", tags, pv("environment", "cost-center"), ctx(tags, []string{"environment", "owner"}), false},
		{"all/doc table: UserName matches nothing", "ForAllValues:StringLike", "dynamodb:requestedAttributes", pv("PostDateTime", "Message", "Tags"),
			ctx("dynamodb:requestedAttributes", []string{"PostDateTime", "UserName"}), false},
		{"all/wildcards", "ForAllValues:StringLike", tags, pv("key1*"), ctx(tags, []string{"key1:hr", "key1:personnel"}), true},
		// [sets]: "The ForAllValues set operator also returns true if there are
		// no context keys in the request"; and for an empty data set. [conf] set-minio-002.
		{"all/absent", "ForAllValues:StringEquals", tags, pv("environment"), ctx(), true},
		{"all/empty", "ForAllValues:StringEquals", tags, pv("environment"), ctx(tags, []string{}), true},
		// [sets] ForAnyValue: at least one request value matches; false for an
		// empty data set. [conf] set-foranyvalue-003/005/007/009.
		{"any/one matches", "ForAnyValue:StringEquals", "dynamodb:Attributes", pv("ID", "PostDateTime"),
			ctx("dynamodb:Attributes", []string{"UserName", "Message", "PostDateTime"}), true},
		{"any/none", "ForAnyValue:StringEquals", "dynamodb:Attributes", pv("ID", "PostDateTime"), ctx("dynamodb:Attributes", []string{"UserName"}), false},
		{"any/absent", "ForAnyValue:StringEquals", tags, pv("webserver"), ctx(), false},
		{"any/empty", "ForAnyValue:StringEquals", tags, pv("webserver"), ctx(tags, []string{}), false},
		// Negated operators under a qualifier apply per request value.
		// [conf] set-forallvalues-notlike-002/007: every value is like key1*, so
		// ForAllValues:StringNotLike is false; with the key absent, true.
		{"all not like/every value is like", "ForAllValues:StringNotLike", tags, pv("key1*"), ctx(tags, []string{"key1:hr", "key1:personnel"}), false},
		{"all not like/absent", "ForAllValues:StringNotLike", tags, pv("key1*", "key2*"), ctx(), true},
		{"all not equals/none in the list", "ForAllValues:StringNotEquals", tags, pv("a", "b"), ctx(tags, []string{"c", "d"}), true},
		{"all not equals/one in the list", "ForAllValues:StringNotEquals", tags, pv("a", "b"), ctx(tags, []string{"a", "c"}), false},
		// [conf] set-negated-003.
		{"any not equals/one outside", "ForAnyValue:StringNotEquals", "jwt:groups", pv("prod", "art"), ctx("jwt:groups", []string{"art", "dev"}), true},
		{"any not equals/all inside", "ForAnyValue:StringNotEquals", "jwt:groups", pv("prod", "art"), ctx("jwt:groups", []string{"art", "prod"}), false},
		{"any not equals/absent", "ForAnyValue:StringNotEquals", "jwt:groups", pv("prod"), ctx(), false},
		// [ops] IfExists on any operator: an absent key makes the condition true,
		// with a qualifier too (ForAllValues is true anyway).
		{"any IfExists/absent", "ForAnyValue:StringEqualsIfExists", tags, pv("webserver"), ctx(), true},
		{"any IfExists/present, none", "ForAnyValue:StringEqualsIfExists", tags, pv("webserver"), ctx(tags, []string{"db"}), false},
		{"all IfExists/absent", "ForAllValues:StringEqualsIfExists", tags, pv("webserver"), ctx(), true},
		// Other families under qualifiers.
		{"all numeric/all below", "ForAllValues:NumericLessThan", "example:sizes", pv("10"), ctx("example:sizes", []string{"1", "5"}), true},
		{"all numeric/one above", "ForAllValues:NumericLessThan", "example:sizes", pv("10"), ctx("example:sizes", []string{"1", "50"}), false},
		{"all numeric/not a number", "ForAllValues:NumericLessThan", "example:sizes", pv("10"), ctx("example:sizes", []string{"1", "x"}), false},
		{"any ip", "ForAnyValue:IpAddress", "example:ips", pv("10.0.0.0/8"), ctx("example:ips", []string{"192.0.2.1", "10.1.2.3"}), true},
		{"all arn", "ForAllValues:ArnLike", "logs:LogGeneratingResourceArns", pv("arn:aws:iam::123456789012:role/*", "arn:aws:ec2:*:123456789012:instance/i-?????"),
			ctx("logs:LogGeneratingResourceArns", []string{"arn:aws:iam::123456789012:role/a", "arn:aws:ec2:us-east-1:123456789012:instance/i-12345"}), true},
		// [conf] tenant-ddb-leadingkeys-003 and tenant-ddb-cognito-002: the
		// documented tenant-isolation pattern.
		{"all with variable/own partition", "ForAllValues:StringEquals", "dynamodb:LeadingKeys", pv("${www.amazon.com:user_id}"),
			ctx("www.amazon.com:user_id", "amzn1.account.AF6RHDG", "dynamodb:LeadingKeys", []string{"amzn1.account.AF6RHDG"}), true},
		{"all with variable/other partition", "ForAllValues:StringEquals", "dynamodb:LeadingKeys", pv("${cognito-identity.amazonaws.com:sub}"),
			ctx("cognito-identity.amazonaws.com:sub", "us-east-1:1111", "dynamodb:LeadingKeys", []string{"us-east-1:9999"}), false},
	})
}

// Without a set qualifier a multi-valued key is matched as a set: a positive
// operator holds when any request value matches ([sets] ForAnyValue reading;
// how gatehouse's principal:roles works), a negated one when none does, so
// that StringEquals and StringNotEquals are complements. [ours] — AWS says
// multivalued keys "require" a set operator and documents no outcome.
func TestMultiValuedKeyWithoutQualifier(t *testing.T) {
	roles := func(rs ...string) *Request { return &Request{Principal: Principal{ID: "u", Roles: rs}} }
	runCondCases(t, []condCase{
		{"equals/one role matches", "StringEquals", "principal:roles", pv("admin"), roles("viewer", "admin"), true},
		{"equals/none", "StringEquals", "principal:roles", pv("admin"), roles("viewer", "editor"), false},
		{"not equals/one role is in the list", "StringNotEquals", "principal:roles", pv("admin"), roles("viewer", "admin"), false},
		{"not equals/none in the list", "StringNotEquals", "principal:roles", pv("admin"), roles("viewer", "editor"), true},
		{"like/any", "StringLike", "principal:groups", pv("eng-*"), &Request{Principal: Principal{Groups: []string{"sales", "eng-web"}}}, true},
		{"numeric/any", "NumericGreaterThan", "example:n", pv("10"), ctx("example:n", []string{"1", "11"}), true},
		{"numeric negated/all", "NumericNotEquals", "example:n", pv("10"), ctx("example:n", []string{"1", "10"}), false},
	})
}

func TestPolicyVariablesInConditions(t *testing.T) {
	const k = "s3:prefix"
	runCondCases(t, []condCase{
		// [vars]: the value is substituted from the request context.
		// [conf] var-username-004, var-tag-002/003/004.
		{"equals/same", "StringEquals", "s3:ExistingObjectTag/owner", pv("${aws:PrincipalTag/owner}"),
			ctx("s3:ExistingObjectTag/owner", "alice", "aws:PrincipalTag/owner", "alice"), true},
		{"equals/different", "StringEquals", "s3:ExistingObjectTag/owner", pv("${aws:PrincipalTag/owner}"),
			ctx("s3:ExistingObjectTag/owner", "bob", "aws:PrincipalTag/owner", "alice"), false},
		{"not equals/same", "StringNotEquals", "s3:ExistingObjectTag/Team", pv("${aws:PrincipalTag/Team}"),
			ctx("s3:ExistingObjectTag/Team", "red", "aws:PrincipalTag/Team", "red"), false},
		{"like/home folder", "StringLike", k, pv("", "home/", "home/${aws:username}/*"), ctx(k, "home/alice/docs", "aws:username", "alice"), true},
		{"like/another home folder", "StringLike", k, pv("${aws:username}/*"), ctx(k, "Adele/", "aws:username", "David"), false},
		{"ignore case", "StringEqualsIgnoreCase", "example:owner", pv("${aws:username}"), ctx("example:owner", "ALICE", "aws:username", "alice"), true},
		// A variable's value is matched literally, never as a wildcard.
		{"literal value/star does not match anything", "StringLike", k, pv("home/${aws:username}/x"), ctx(k, "home/bob/x", "aws:username", "*"), false},
		{"literal value/star matches a star", "StringLike", k, pv("home/${aws:username}/x"), ctx(k, "home/*/x", "aws:username", "*"), true},
		// A variable with no value and no default matches nothing: a positive
		// operator is false and a negated one true (nothing to equal).
		{"missing/positive", "StringEquals", "s3:ExistingObjectTag/Team", pv("${aws:PrincipalTag/Team}"), ctx("s3:ExistingObjectTag/Team", "red"), false},
		{"missing/negated", "StringNotEquals", "s3:ExistingObjectTag/Team", pv("${aws:PrincipalTag/Team}"), ctx("s3:ExistingObjectTag/Team", "red"), true},
		{"missing/other value still matches", "StringEquals", "s3:ExistingObjectTag/Team", pv("${aws:PrincipalTag/Team}", "red"), ctx("s3:ExistingObjectTag/Team", "red"), true},
		// [svmv]: a multivalued key cannot be used as a policy variable.
		{"multi-valued variable", "StringEquals", "example:x", pv("${example:many}"), ctx("example:x", "a", "example:many", []string{"a", "b"}), false},
		// [vars] "Specifying default values".
		{"default/used", "StringEquals", "example:team", pv("${aws:PrincipalTag/team, 'none'}"), ctx("example:team", "none"), true},
		{"default/value wins", "StringEquals", "example:team", pv("${aws:PrincipalTag/team, 'none'}"), ctx("example:team", "none", "aws:PrincipalTag/team", "red"), false},
		// [vars] "Special characters": ${*} ${?} ${$}. [conf] var-escape-004.
		{"escape/question mark is literal", "StringLike", k, pv("faq${?}/*"), ctx(k, "faqs/x"), false},
		{"escape/question mark matches itself", "StringLike", k, pv("faq${?}/*"), ctx(k, "faq?/x"), true},
		{"escape/star is literal", "StringLike", k, pv("a${*}"), ctx(k, "ab"), false},
		{"escape/star matches itself", "StringLike", k, pv("a${*}"), ctx(k, "a*"), true},
		{"escape/dollar", "StringEquals", "example:cost", pv("${$}5"), ctx("example:cost", "$5"), true},
		// [vars]: without Version 2012-10-17, "${aws:username}" is literal text.
		{"2008/literal", "StringEquals", "example:x", pv("${aws:username}"), ctx("example:x", "${aws:username}", "aws:username", "alice"), true},
		{"2008/not substituted", "StringEquals", "example:x", pv("${aws:username}"), ctx("example:x", "alice", "aws:username", "alice"), false},
		// gatehouse keys as variables: claims (case-sensitive names) and principal.
		{"jwt claim", "StringEquals", "resource:tenant", pv("${jwt:custom:org}"),
			&Request{Claims: map[string]Values{"custom:org": {"acme"}}, Resource: Resource{Attributes: map[string]Values{"tenant": {"acme"}}}}, true},
		{"jwt claim is case-sensitive", "StringEquals", "resource:tenant", pv("${jwt:Custom:Org}"),
			&Request{Claims: map[string]Values{"custom:org": {"acme"}}, Resource: Resource{Attributes: map[string]Values{"tenant": {"acme"}}}}, false},
		{"principal id", "StringEquals", "resource:owner", pv("${principal:id}"),
			&Request{Principal: Principal{ID: "alice"}, Resource: Resource{Attributes: map[string]Values{"owner": {"alice"}}}}, true},
	})
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		op   string
		vals []policy.Str
		want string // part of the message
	}{
		{"NumericEquals", pv("ten"), "not a number"},
		{"NumericEquals", pv("1e1000000"), "not a number"},
		{"NumericLessThan", pv("${aws:x}"), "policy variables are allowed only"},
		{"DateEquals", pv("yesterday"), "not a date"},
		{"DateEquals", pv("2025-13-01"), "not a date"},
		{"DateEquals", pv("2025-02-29"), "not a date"},
		{"DateEquals", pv("2025-01-01T24:00:00Z"), "not a date"},
		{"DateEquals", pv("2025-01-01T10:00:00+25:00"), "not a date"},
		{"IpAddress", pv("300.1.1.1"), "not an IP address"},
		{"IpAddress", pv("10.0.0.0/33"), "not an IP address"},
		{"NotIpAddress", pv("fe80::1%eth0"), "not an IP address"},
		{"BinaryEquals", pv("!!!"), "not base64"},
		{"Bool", pv("yes"), "not a boolean"},
		{"ArnEquals", pv("*"), "not an ARN"},
		{"ArnLike", pv("arn:aws:s3::bucket"), "not an ARN"},
		{"Null", pv("maybe"), "not valid for Null"},
		{"StringEqualz", pv("x"), "unknown condition operator"},
	}
	for _, tt := range tests {
		_, err := buildCond(tt.op, "k", true, tt.vals)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %v: error %v, want one containing %q", tt.op, tt.vals, err, tt.want)
		}
	}
	// A leap day is a date.
	if _, err := buildCond("DateEquals", "k", true, pv("2024-02-29")); err != nil {
		t.Errorf("2024-02-29: %v", err)
	}
}

// StringEquals with many plain values uses a map; it must agree with the scan.
func TestStringEqualsManyValues(t *testing.T) {
	var vals []string
	for i := 0; i < 20; i++ {
		vals = append(vals, "v"+strings.Repeat("x", i))
	}
	c := newCond(t, "StringEquals", "k", true, pv(vals...))
	if c.exactSet == nil {
		t.Fatal("expected a set")
	}
	n := newCond(t, "StringNotEquals", "k", true, pv(vals...))
	for _, s := range []string{"v", "vxxxx", "w", "V", ""} {
		want := false
		for _, v := range vals {
			want = want || v == s
		}
		r := ctx("k", s)
		if got := c.eval(r); got != want {
			t.Errorf("StringEquals %q = %v", s, got)
		}
		if got := n.eval(r); got == want {
			t.Errorf("StringNotEquals %q = %v", s, got)
		}
	}
}
