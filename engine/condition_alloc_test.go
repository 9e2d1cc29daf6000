package engine

import (
	"encoding/json"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/policy"
)

// The decision path allocates nothing in the common case (DESIGN.md §3), so
// neither may a condition's eval on a prepared request.
func TestConditionEvalDoesNotAllocate(t *testing.T) {
	r := &Request{
		Principal: Principal{ID: "alice", Roles: []string{"viewer", "admin"}},
		Claims:    map[string]Values{"custom:org": {"acme"}},
		Resource:  Resource{Name: "orders:acme/17", Attributes: map[string]Values{"tenant": {"acme"}}},
		Context: map[string]Values{
			"aws:username":         {"alice"},
			"s3:prefix":            {"home/alice/docs"},
			"s3:max-keys":          {"7"},
			"aws:SourceIp":         {"203.0.113.7"},
			"aws:SourceIpV6":       {"2001:db8::1"},
			"aws:TagKeys":          {"environment", "cost-center"},
			"aws:CurrentTime":      {"2025-01-01T00:00:00Z"},
			"aws:SecureTransport":  {"true"},
			"example:blob":         {"QmluYXJ5"},
			"aws:SourceArn":        {"arn:aws:iam::123456789012:user/alice"},
			"AWS:PrincipalTag/Dep": {"Finance"},
		},
	}
	tests := []struct {
		op, key string
		vals    []string
	}{
		{"StringEquals", "aws:username", []string{"alice"}},
		{"StringLike", "s3:prefix", []string{"home/${aws:username}/*"}},
		{"NumericLessThan", "s3:max-keys", []string{"10"}},
		{"IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}},
		{"ForAllValues:StringEquals", "aws:TagKeys", []string{"environment", "cost-center", "owner"}},
		// Beyond the required five: every other family, and the tenant
		// isolation condition of the benchmarks.
		{"IpAddress", "aws:SourceIpV6", []string{"2001:db8::/32"}},
		{"StringEqualsIgnoreCase", "aws:principaltag/dep", []string{"finance"}},
		{"StringNotEquals", "principal:roles", []string{"root"}},
		{"StringEquals", "resource:tenant", []string{"${jwt:custom:org}"}},
		{"DateLessThan", "aws:CurrentTime", []string{"2026-01-01T00:00:00+01:00"}},
		{"Bool", "aws:SecureTransport", []string{"true"}},
		{"BinaryEquals", "example:blob", []string{"QmluYXJ5"}},
		{"ArnLike", "aws:SourceArn", []string{"arn:aws:iam::*:user/${aws:username}"}},
		{"ForAnyValue:StringLike", "aws:TagKeys", []string{"cost-*"}},
		{"Null", "aws:TokenIssueTime", []string{"true"}},
		{"StringEqualsIfExists", "missing:key", []string{"x"}},
	}
	for _, tt := range tests {
		c := newCond(t, tt.op, tt.key, true, pv(tt.vals...))
		if !c.eval(r) {
			t.Errorf("%s %s %v: want true on the prepared request", tt.op, tt.key, tt.vals)
		}
		if n := testing.AllocsPerRun(100, func() { c.eval(r) }); n != 0 {
			t.Errorf("%s %s: %v allocations per eval, want 0", tt.op, tt.key, n)
		}
	}
}

func TestExplainCondition(t *testing.T) {
	tests := []struct {
		name    string
		op, key string
		vals    []string
		req     *Request
		want    CondTrace
	}{
		{
			name: "variable substituted",
			op:   "StringLike", key: "s3:prefix", vals: []string{"home/${aws:username}/*"},
			req: ctx("s3:prefix", "home/bob/x", "aws:username", "alice"),
			want: CondTrace{Operator: "StringLike", Key: "s3:prefix", KeyPresent: true,
				RequestValues: []string{"home/bob/x"}, PolicyValues: []string{"home/alice/*"}},
		},
		{
			name: "variable without a value",
			op:   "StringEquals", key: "dynamodb:LeadingKeys", vals: []string{"${jwt:sub}", "${jwt:x, 'd'}"},
			req: ctx("dynamodb:LeadingKeys", "u1"),
			want: CondTrace{Operator: "StringEquals", Key: "dynamodb:LeadingKeys", KeyPresent: true,
				RequestValues: []string{"u1"}, PolicyValues: []string{"${jwt:sub} (no value)", "d"},
				Note: "${jwt:sub} has no value in this request and no default: that policy value matches nothing"},
		},
		{
			name: "multi-valued variable",
			op:   "StringEquals", key: "k", vals: []string{"${example:many}"},
			req: ctx("k", "a", "example:many", []string{"a", "b"}),
			want: CondTrace{Operator: "StringEquals", Key: "k", KeyPresent: true,
				RequestValues: []string{"a"}, PolicyValues: []string{"${example:many} (no value)"},
				Note: "${example:many} has several values in this request, and IAM substitutes only single-valued keys: that policy value matches nothing"},
		},
		{
			name: "IfExists",
			op:   "StringLikeIfExists", key: "ec2:InstanceType", vals: []string{"t2.*"},
			req: ctx(),
			want: CondTrace{Operator: "StringLikeIfExists", Key: "ec2:InstanceType", RequestValues: []string{},
				PolicyValues: []string{"t2.*"}, Matched: true, Note: "key absent: IfExists makes this true"},
		},
		{
			name: "ForAllValues absent",
			op:   "ForAllValues:StringEquals", key: "aws:TagKeys", vals: []string{"a"},
			req: ctx(),
			want: CondTrace{Operator: "ForAllValues:StringEquals", Key: "aws:TagKeys", RequestValues: []string{},
				PolicyValues: []string{"a"}, Matched: true,
				Note: "ForAllValues is true when the key is absent or empty; add a Null condition with \"false\" to require it"},
		},
		{
			name: "ForAllValues failing value",
			op:   "ForAllValues:StringEquals", key: "aws:TagKeys", vals: []string{"a"},
			req: ctx("aws:TagKeys", []string{"a", "b"}),
			want: CondTrace{Operator: "ForAllValues:StringEquals", Key: "aws:TagKeys", KeyPresent: true, RequestValues: []string{"a", "b"},
				PolicyValues: []string{"a"}, Note: `value "b" matches none of the policy values`},
		},
		{
			name: "negated absent",
			op:   "StringNotEquals", key: "k", vals: []string{"a"},
			req: ctx("k", []string{}),
			want: CondTrace{Operator: "StringNotEquals", Key: "k", RequestValues: []string{},
				PolicyValues: []string{"a"}, Matched: true, Note: "key has no values (counted as absent): a negated operator is true"},
		},
		{
			name: "not a number",
			op:   "NumericLessThan", key: "s3:max-keys", vals: []string{"10"},
			req: ctx("s3:max-keys", "x"),
			want: CondTrace{Operator: "NumericLessThan", Key: "s3:max-keys", KeyPresent: true, RequestValues: []string{"x"},
				PolicyValues: []string{"10"}, Note: `value "x" is not a number`},
		},
		{
			name: "numeric values are not substituted",
			op:   "NumericLessThan", key: "s3:max-keys", vals: []string{"10"},
			req: ctx("s3:max-keys", "1"),
			want: CondTrace{Operator: "NumericLessThan", Key: "s3:max-keys", KeyPresent: true, RequestValues: []string{"1"},
				PolicyValues: []string{"10"}, Matched: true},
		},
		{
			name: "Null",
			op:   "Null", key: "aws:TokenIssueTime", vals: []string{"false"},
			req: ctx(),
			want: CondTrace{Operator: "Null", Key: "aws:TokenIssueTime", RequestValues: []string{},
				PolicyValues: []string{"false"}, Note: "key absent"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCond(t, tt.op, tt.key, true, pv(tt.vals...))
			got := c.explain(tt.req)
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(tt.want)
			if string(gj) != string(wj) {
				t.Errorf("explain:\n got %s\nwant %s", gj, wj)
			}
		})
	}
}

// The trace's JSON uses snake_case names.
func TestCondTraceJSON(t *testing.T) {
	b, err := json.Marshal(CondTrace{Operator: "Bool", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{`"operator"`, `"key"`, `"key_present"`, `"request_values"`, `"policy_values"`, `"matched"`} {
		if !strings.Contains(string(b), f) {
			t.Errorf("%s lacks %s", b, f)
		}
	}
}

// operatorNames lists every operator spelling the fuzz test may use.
func operatorNames() []string {
	bases := []string{"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
		"StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
		"NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
		"DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
		"NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"}
	var out []string
	for _, pre := range []string{"", "ForAllValues:", "ForAnyValue:"} {
		for _, b := range bases {
			out = append(out, pre+b)
			if b != "Null" {
				out = append(out, pre+b+"IfExists")
			}
		}
	}
	return out
}

// FuzzCondition: compiling and evaluating never panics, whatever the
// operator, policy value and request values; eval and explain agree; and a
// negated operator is the complement of its positive form whenever the key
// is present with values it can read.
func FuzzCondition(f *testing.F) {
	f.Add(uint8(0), "alice", "alice", "", true)
	f.Add(uint8(10), "home/${aws:username}/*", "home/alice/x", "y", true)
	f.Add(uint8(20), "2.5e3", "2500", "x", false)
	f.Add(uint8(30), "2025-01-01T00:00:00+01:00", "1735689600", "", true)
	f.Add(uint8(40), "QmluYXJ5", "QmluYXJ5", "=", false)
	f.Add(uint8(42), "203.0.113.0/24", "::ffff:203.0.113.7", "fe80::1%eth0", true)
	f.Add(uint8(46), "arn:aws:iam::*:role/${aws:username}", "arn:aws:iam::1:role/alice", "arn:::::", true)
	f.Add(uint8(54), "true", "", "", false)
	f.Add(uint8(3), "${jwt:x, 'd'}${*}${?}${$}", "d*?$", "${", true)
	ops := operatorNames()
	f.Fuzz(func(t *testing.T, opIdx uint8, value, req1, req2 string, vars bool) {
		op := ops[int(opIdx)%len(ops)]
		c, err := buildCond(op, "k", vars, []policy.Str{{Value: value}, {Value: value + "*"}})
		if err != nil {
			return
		}
		reqs := []*Request{
			ctx(),
			ctx("k", []string{}),
			ctx("k", req1, "aws:username", req2, "jwt:x", req2),
			ctx("k", []string{req1, req2}, "aws:username", []string{req1, req2}),
			{Claims: map[string]Values{"x": {req1}}, Context: map[string]Values{"K": {req2}}},
		}
		for _, r := range reqs {
			got := c.eval(r)
			if tr := c.explain(r); tr.Matched != got {
				t.Fatalf("%s %q on %v: eval %v, explain %+v", op, value, r.Context, got, tr)
			}
		}
		// Complement check on a single readable value, without qualifier
		// or IfExists.
		o, _ := policy.ParseOperator(op)
		if o.Set != policy.SetNone || o.IfExists || !o.Base.Negated() {
			return
		}
		pos := positiveOf(o.Base)
		pc, err := buildCond(pos, "k", vars, []policy.Str{{Value: value}, {Value: value + "*"}})
		if err != nil {
			t.Fatalf("%s compiles but %s does not: %v", op, pos, err)
		}
		r := ctx("k", req1, "aws:username", req2)
		if _, valid := c.matchAny(req1, r); valid && c.eval(r) == pc.eval(r) {
			t.Fatalf("%s and %s agree (%v) on %q vs %q", op, pos, c.eval(r), req1, value)
		}
	})
}

// positiveOf names the positive operator of a negated one.
func positiveOf(b policy.OpBase) string {
	switch b {
	case policy.OpNotIPAddress:
		return "IpAddress"
	case policy.OpArnNotEquals:
		return "ArnEquals"
	case policy.OpArnNotLike:
		return "ArnLike"
	}
	return strings.Replace(b.String(), "Not", "", 1)
}
