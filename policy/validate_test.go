package policy

import (
	"strings"
	"testing"
)

// The errors Validate reports: what AWS IAM rejects. Each case cites the IAM
// User Guide page (or the IAM error message) that documents the rule.
func TestValidateErrors(t *testing.T) {
	st0 := "/Statement/0"
	tests := []struct {
		name string
		kind Kind
		doc  *Document
		want []string
	}{
		// Grammar of the IAM JSON policy language: version_block =
		// "Version" : ("2008-10-17" | "2012-10-17").
		{"version 2012 ok", KindIdentity, tDoc(tAllow()), nil},
		{"version 2008 ok", KindIdentity, tDocV(Version2008, tAllow()), nil},
		{"version absent ok", KindIdentity, tDocV("", tAllow()), nil},
		{"bad version", KindIdentity, tDocV("2012-10-18", tAllow()), []string{"policy.bad_version@/Version"}},

		// Action: "Statements must include either an Action or NotAction
		// element" (reference_policies_elements_action), not both.
		{"action and notaction", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) { st.NotAction = tList("s3:PutObject") })),
			[]string{"policy.action_and_notaction@" + st0 + "/NotAction"}},
		{"no action", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) { st.Action = nil })),
			[]string{"policy.no_action@" + st0}},

		// Resource: required in identity policies; in resource-based
		// policies it may be omitted (reference_policies_elements_resource).
		{"resource and notresource", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) { st.NotResource = tList("arn:aws:s3:::x") })),
			[]string{"policy.resource_and_notresource@" + st0 + "/NotResource"}},
		{"no resource identity", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) { st.Resource = nil })),
			[]string{"policy.no_resource@" + st0}},
		{"no resource boundary", KindBoundary, tDoc(tWith(tAllow(), func(st *Statement) { st.Resource = nil })),
			[]string{"policy.no_resource@" + st0}},
		{"no resource session", KindSession, tDoc(tWith(tAllow(), func(st *Statement) { st.Resource = nil })),
			[]string{"policy.no_resource@" + st0}},
		{"no resource in resource policy ok", KindResource, tDoc(tWith(tAllow(), func(st *Statement) { st.Resource = nil; st.Principal = tPrincipal("User", "alice") })), nil},
		{"no resource in trust policy ok", KindTrust, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Resource, st.Action, st.Principal = nil, tList("sts:AssumeRole"), tPrincipal("Role", "ci")
		})), nil},

		// Principal: "You cannot use the Principal element in an
		// identity-based policy" and NotPrincipal likewise
		// (reference_policies_elements_principal); resource-based
		// policies and trust policies must name one.
		{"principal and notprincipal", KindResource, tDoc(tWith(tDeny(), func(st *Statement) {
			st.Principal, st.NotPrincipal = tPrincipal("User", "alice"), tPrincipal("User", "bob")
		})), []string{"policy.principal_and_notprincipal@" + st0 + "/NotPrincipal"}},
		{"principal in identity policy", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) { st.Principal = tPrincipal("User", "alice") })),
			[]string{"policy.principal_not_allowed@" + st0 + "/Principal"}},
		{"notprincipal in boundary", KindBoundary, tDoc(tWith(tDeny(), func(st *Statement) { st.NotPrincipal = tPrincipal("User", "alice") })),
			[]string{"policy.principal_not_allowed@" + st0 + "/NotPrincipal"}},
		{"principal in session policy", KindSession, tDoc(tWith(tAllow(), func(st *Statement) { st.Principal = tAnyone() })),
			[]string{"policy.principal_not_allowed@" + st0 + "/Principal"}},
		{"resource policy without principal", KindResource, tDoc(tAllow()),
			[]string{"policy.missing_principal@" + st0}},
		{"trust policy without principal", KindTrust, tDoc(tAllow()),
			[]string{"policy.missing_principal@" + st0}},
		{"resource policy with principal ok", KindResource, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Principal = tPrincipal("User", []string{"alice", "bob"}, "Role", "admin", "Group", "ops", "App", "ci", "AWS", "arn:aws:iam::123456789012:root")
		})), nil},

		// Principal types are the keys of API.md §2 (User, App, Role, Group,
		// and AWS for imported policies); like IAM's "AWS"/"Service", they
		// are case-sensitive.
		{"principal type case", KindResource, tDoc(tWith(tAllow(), func(st *Statement) { st.Principal = tPrincipal("user", "alice") })),
			[]string{"policy.bad_principal_type@" + st0 + "/Principal/user"}},
		{"principal type unknown", KindResource, tDoc(tWith(tAllow(), func(st *Statement) { st.Principal = tPrincipal("Service", "ec2.amazonaws.com") })),
			[]string{"policy.bad_principal_type@" + st0 + "/Principal/Service"}},
		{"principal empty id", KindResource, tDoc(tWith(tAllow(), func(st *Statement) { st.Principal = tPrincipal("User", []string{"alice", ""}) })),
			[]string{"policy.bad_principal_type@" + st0 + "/Principal/User/1"}},

		// Action strings are "*" or "service:action"; IAM answers other
		// forms with MalformedPolicyDocument ("Actions/Conditions must be
		// prefaced by a vendor", "Action vendors must not contain
		// wildcards", "Actions/Condition can contain only one colon").
		{"actions ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Action = tList("*", "s3:*", "iam:*AccessKey*", "s3:Get?bject", "orders:Read")
		})), nil},
		{"bad actions", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Action = tList("s3GetObject", "*:Get*", ":Get", "s3:", "a:b:c", "", "s?:Get")
		})), []string{
			"policy.bad_action@" + st0 + "/Action/0", "policy.bad_action@" + st0 + "/Action/1",
			"policy.bad_action@" + st0 + "/Action/2", "policy.bad_action@" + st0 + "/Action/3",
			"policy.bad_action@" + st0 + "/Action/4", "policy.bad_action@" + st0 + "/Action/5",
			"policy.bad_action@" + st0 + "/Action/6",
		}},
		{"bad notaction", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) { st.Action, st.NotAction = nil, tList("GetObject") })),
			[]string{"policy.bad_action@" + st0 + "/NotAction/0"}},

		// Policy variables (reference_policies_variables): ${key},
		// ${key, 'default'} and the escapes ${*} ${?} ${$}, in Resource and
		// in String, ARN and Bool condition values.
		{"variables ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Resource = tList("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}", "orders:${*}x${?}${$}")
		})), nil},
		{"bad variable in resource", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Resource = tList("arn:aws:s3:::b/${aws:username", "arn:aws:s3:::b/${}", "x/${a b}", "x/${k, nodefault}")
		})), []string{
			"policy.bad_variable@" + st0 + "/Resource/0", "policy.bad_variable@" + st0 + "/Resource/1",
			"policy.bad_variable@" + st0 + "/Resource/2", "policy.bad_variable@" + st0 + "/Resource/3",
		}},
		{"bad variable in notresource", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) { st.Resource, st.NotResource = nil, tList("x/${jwt:sub") })),
			[]string{"policy.bad_variable@" + st0 + "/NotResource/0"}},
		{"bad variable in condition", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("StringLike", "s3:prefix", "home/${aws:username/*")}
		})), []string{"policy.bad_variable@" + st0 + "/Condition/StringLike/s3:prefix/0"}},

		// Condition operators (reference_policies_elements_condition_operators):
		// each family compares values of one type.
		{"numbers ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("NumericLessThanEquals", "s3:max-keys", "10", "-2.5", "1e3", ".5", "+7")}
		})), nil},
		{"bad numbers", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("NumericEquals", "s3:max-keys", "ten", " 10", "0x10", "NaN", "1e", "1_000", "")}
		})), numbered("policy.bad_number@"+st0+"/Condition/NumericEquals/s3:max-keys/", 7)},
		// "You must use one of the W3C implementations of the ISO 8601 date
		// formats or epoch (UNIX) time."
		{"dates ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("DateGreaterThan", "aws:CurrentTime",
				"2020", "2020-01", "2020-01-31", "2020-01-31T10:30Z", "2020-01-31T10:30:15Z", "2020-01-31T10:30:15.25Z",
				"2020-01-31T10:30:15+02:00", "2020-01-31T10:30:15-0530", "2020-01-31T10:30:15", "1580466615", "2020-02-29")}
		})), nil},
		{"bad dates", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("DateLessThan", "aws:CurrentTime",
				"2020/01/31", "2020-13-01", "2021-02-29", "yesterday", "2020-01-31T25:00:00Z", "2020-01-31T10:30:15.Z", "2020-01T10:00Z", "2020-01-31 10:00", "")}
		})), numbered("policy.bad_date@"+st0+"/Condition/DateLessThan/aws:CurrentTime/", 9)},
		{"bools ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("Bool", "aws:SecureTransport", "true", "FALSE", "True"), tCond("Null", "aws:TokenIssueTime", "false")}
		})), nil},
		{"bad bools", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("Bool", "aws:SecureTransport", "yes"), tCond("Null", "aws:TokenIssueTime", "1")}
		})), []string{
			"policy.bad_bool@" + st0 + "/Condition/Bool/aws:SecureTransport/0",
			"policy.bad_bool@" + st0 + "/Condition/Null/aws:TokenIssueTime/0",
		}},
		// "BinaryEquals ... the value in the policy is base-64 encoded."
		{"binary", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5", "not base64!", "a-b_")}
		})), []string{
			"policy.bad_binary@" + st0 + "/Condition/BinaryEquals/key/2",
			"policy.bad_binary@" + st0 + "/Condition/BinaryEquals/key/3",
		}},
		// "IP address condition operators ... standard CIDR format."
		{"ip addresses", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("IpAddress", "aws:SourceIp",
				"203.0.113.0/24", "203.0.113.7", "2001:DB8:1234:5678::/64", "10.0.0.5/8", "::1",
				"10.0.0.256/8", "10.0.0.0/33", "::1/129", "host", "10.0.0.0/", "fe80::1%eth0", "")}
		})), numberedFrom("policy.bad_cidr@"+st0+"/Condition/IpAddress/aws:SourceIp/", 5, 12)},
		// ARN operators compare each of the six colon-delimited parts
		// separately; ArnEquals and ArnLike both allow wildcards.
		{"arns", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{
				tCond("ArnEquals", "aws:SourceArn", "arn:aws:s3:::bucket", "arn:aws:iam::*:role/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1:x"),
				tCond("ArnLike", "aws:PrincipalArn", "arn:aws:s3", "urn:aws:s3:::b", "*"),
			}
		})), numbered("policy.bad_arn@"+st0+"/Condition/ArnLike/aws:PrincipalArn/", 3)},
		{"empty condition", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("StringEquals", "aws:username")}
		})), []string{"policy.empty_condition@" + st0 + "/Condition/StringEquals/aws:username"}},

		// Variables are substituted in String and ARN condition values
		// (docs/semantics.md): such a value is checked once substituted.
		// Elsewhere, and under 2008-10-17, "${...}" is literal text.
		{"variable skips arn format check", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("ArnLike", "aws:SourceArn", "${principal:arn}"), tCond("Bool", "aws:SecureTransport", "${principal:tls}")}
		})), nil},
		{"bad variable in bool", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("Bool", "aws:SecureTransport", "${principal:tls")}
		})), []string{"policy.bad_variable@" + st0 + "/Condition/Bool/aws:SecureTransport/0"}},
		{"literal variable in arn under 2008", KindIdentity, tDocV(Version2008, tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("ArnLike", "aws:SourceArn", "${principal:arn}")}
		})), []string{
			"policy.bad_arn@" + st0 + "/Condition/ArnLike/aws:SourceArn/0",
			"policy.variables_ignored@" + st0 + "/Condition/ArnLike/aws:SourceArn/0",
		}},
		{"no variables in numeric or ip values", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("NumericLessThan", "s3:max-keys", "${principal:limit}"), tCond("IpAddress", "aws:SourceIp", "${principal:net}")}
		})), []string{
			"policy.bad_number@" + st0 + "/Condition/NumericLessThan/s3:max-keys/0",
			"policy.bad_cidr@" + st0 + "/Condition/IpAddress/aws:SourceIp/0",
		}},
		// "IfExists" combines with ForAllValues/ForAnyValue.
		{"set qualifier with IfExists ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{
				tCond("ForAnyValue:StringEqualsIfExists", "principal:roles", "admin"),
				tCond("ForAllValues:StringLikeIfExists", "aws:TagKeys", "env*"),
				tCond("Null", "aws:TagKeys", "false"),
			}
		})), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Validate(tt.doc, tt.kind)
			tCheck(t, tt.doc, fs, tt.want)
		})
	}
}

// numbered returns prefix+"0" ... prefix+(n-1).
func numbered(prefix string, n int) []string { return numberedFrom(prefix, 0, n) }

func numberedFrom(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, prefix+itoa(i))
	}
	return out
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// Findings carry the file, the element's position and its pointer, and
// Validate returns them sorted.
func TestValidatePositions(t *testing.T) {
	d := tDoc(tWith(tAllow(), func(st *Statement) {
		st.Conditions = []*Condition{tCond("IpAddress", "aws:SourceIp", "10.0.0.1", "bad")}
	}))
	v := d.Statements[0].Conditions[0].Values[1]
	fs := Validate(d, KindIdentity)
	if len(fs) != 1 {
		t.Fatalf("findings: %v", fs)
	}
	f := fs[0]
	if f.File != "p.json" || f.Line != v.Pos.Line || f.Col != v.Pos.Col || f.Pointer != v.Path {
		t.Errorf("finding %+v, want p.json at %v %s", f, v.Pos, v.Path)
	}
	if !strings.Contains(f.Message, `"bad"`) {
		t.Errorf("message does not quote the value: %s", f.Message)
	}
	want := "p.json:" + itoa(v.Pos.Line) + ":5: error: "
	if !strings.HasPrefix(f.String(), want) {
		t.Errorf("String() = %q, want prefix %q", f.String(), want)
	}

	d = tDoc(tWith(tAllow(), func(st *Statement) { st.Action = tList("x", "y") }), tWith(tAllow(), func(st *Statement) { st.Action = tList("z") }))
	fs = Validate(d, KindIdentity)
	for i := 1; i < len(fs); i++ {
		if fs[i-1].Line > fs[i].Line {
			t.Errorf("findings not sorted: %v", fs)
		}
	}
}

// Messages say what to do: a few spot checks of the hints.
func TestValidateMessages(t *testing.T) {
	tests := []struct {
		doc  *Document
		kind Kind
		want string
	}{
		{tDocV("2012-10-18", tAllow()), KindIdentity, `use "2012-10-17"`},
		{tDoc(tWith(tAllow(), func(st *Statement) { st.Principal = tPrincipal("user", "a") })), KindResource, `write "User"`},
		{tDoc(tWith(tAllow(), func(st *Statement) { st.Principal = tPrincipal("Users", "a") })), KindResource, `write "User"`},
		{tDoc(tWith(tAllow(), func(st *Statement) { st.Action = tList("*:Get*") })), KindIdentity, "wildcard in its service prefix"},
		{tDoc(tWith(tAllow(), func(st *Statement) { st.Action = tList("s3:") })), KindIdentity, `"s3:*"`},
		{tDoc(tWith(tAllow(), func(st *Statement) { st.Principal = tAnyone() })), KindIdentity, "--kind resource"},
		{tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("IpAddress", "aws:SourceIp", "10.0.0.0/33")}
		})), KindIdentity, `"10.0.0.0/33"`},
		{tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("DateLessThan", "aws:CurrentTime", "2021-02-29")}
		})), KindIdentity, "has no day 29"},
		{tDocV("", tWith(tAllow(), func(st *Statement) { st.Resource = tList("x/${aws:username}") })), KindIdentity, `add "Version": "2012-10-17"`},
		{tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("DateLessThan", "aws:CurrentTime", "${jwt:exp}")}
		})), KindIdentity, "substituted only in String, Arn and Bool operators"},
	}
	for _, tt := range tests {
		fs := Validate(tt.doc, tt.kind)
		if !strings.Contains(fs.Error(), tt.want) {
			t.Errorf("findings %q do not contain %q", fs.Error(), tt.want)
		}
	}
}

// Validate accepts any Document Parse can produce, and more: nil slices,
// empty strings, zero positions, nil statements and conditions, unknown
// operators and kinds.
func TestValidateNeverPanics(t *testing.T) {
	docs := []*Document{
		nil,
		{},
		{Statements: []*Statement{nil, {}}},
		{Version: "x", Statements: []*Statement{{
			Action: []Str{}, NotAction: []Str{{}}, Resource: []Str{}, NotResource: []Str{{}},
			Principal: &Principal{}, NotPrincipal: &Principal{Entries: []PrincipalEntry{{}}},
			Conditions: []*Condition{nil, {}, {Op: Operator{Base: OpNull, Set: ForAllValues}}, {Op: Operator{Base: opCount + 3}}},
		}}},
		{Version: Version2012, Statements: []*Statement{{
			Effect:    Allow,
			Resource:  []Str{{Value: "${"}, {Value: "${}"}, {Value: "$"}, {Value: "${a,"}, {Value: "${ }"}},
			Principal: &Principal{Entries: []PrincipalEntry{{Type: Str{Value: "User"}, IDs: []Str{{}, {Value: "${x"}}}}},
			Conditions: []*Condition{
				{Op: Operator{Base: OpDateEquals}, Values: []Str{{}, {Value: "-"}, {Value: "9999999999999999999999"}, {Value: "2020-01-01T00:00:00+99:99"}}},
				{Op: Operator{Base: OpIPAddress}, Values: []Str{{Value: "/"}, {Value: "1.2.3.4/"}}},
				{Op: Operator{Base: OpStringEquals, Set: ForAllValues}, Key: Str{Value: "principal:id"}},
				{Op: Operator{Base: OpNull}, Key: Str{Value: "principal:id"}, Values: []Str{{Value: "true"}}},
				{Op: Operator{Base: OpStringEquals}, Key: Str{Value: "PRINCIPAL:ID"}, Values: []Str{{Value: "a"}}},
				{Op: Operator{Base: OpStringEqualsIgnoreCase, IfExists: true}, Key: Str{Value: "principal:id"}, Values: []Str{{Value: "b"}}},
			},
		}}},
	}
	for _, k := range []Kind{KindIdentity, KindResource, KindBoundary, KindSession, KindTrust, Kind(42)} {
		for _, d := range docs {
			_ = Validate(d, k)
		}
	}
}
