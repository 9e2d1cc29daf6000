package policy

import (
	"strings"
	"testing"
)

// The warnings Validate reports: legal policies that almost certainly do not
// do what their author meant. Each case cites the documented behaviour that
// makes it a mistake.
func TestValidateWarnings(t *testing.T) {
	st0 := "/Statement/0"
	c0 := st0 + "/Condition/"
	tests := []struct {
		name string
		kind Kind
		doc  *Document
		want []string
	}{
		// "Policy variables were introduced in version 2012-10-17 ... earlier
		// versions of the policy language don't support policy variables"
		// (reference_policies_variables): the text is literal.
		{"variables without version", KindIdentity, tDocV("", tWith(tAllow(), func(st *Statement) {
			st.Resource = tList("arn:aws:s3:::b/${aws:username}/*")
			st.Conditions = []*Condition{tCond("StringLike", "s3:prefix", "${aws:username}/*")}
		})), []string{
			"policy.variables_ignored@" + st0 + "/Resource/0",
			"policy.variables_ignored@" + c0 + "StringLike/s3:prefix/0",
		}},
		{"variables under 2008", KindIdentity, tDocV(Version2008, tWith(tDeny(), func(st *Statement) {
			st.Resource, st.NotResource = nil, tList("orders:${jwt:org}/*")
		})), []string{"policy.variables_ignored@" + st0 + "/NotResource/0"}},
		// The IAM User Guide's "Where you can use policy variables" does
		// not list Principal; the engine matches such ids literally
		// (docs/semantics.md).
		{"variable in principal", KindResource, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Principal = tPrincipal("User", []string{"alice", "${resource:owner}"}, "Role", "${jwt:role")
		})), []string{
			"policy.principal_variable@" + st0 + "/Principal/User/1",
			"policy.principal_variable@" + st0 + "/Principal/Role/0",
		}},
		{"variable in principal under 2008", KindResource, tDocV("", tWith(tDeny(), func(st *Statement) {
			st.NotPrincipal = tPrincipal("User", "${jwt:sub}")
		})), []string{"policy.principal_variable@" + st0 + "/NotPrincipal/User/0"}},

		// Security best practices in IAM: grant least privilege.
		{"allow all", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) { st.Action, st.Resource = tList("*"), tList("*") })),
			[]string{"policy.allow_all@" + st0}},
		{"allow all with condition ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Action, st.Resource = tList("*"), tList("*")
			st.Conditions = []*Condition{tCond("Bool", "aws:MultiFactorAuthPresent", "true")}
		})), nil},
		{"deny all ok", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) { st.Action, st.Resource = tList("*"), tList("*") })), nil},

		// NotAction with Allow "allows all actions except those listed ...
		// including ones you might not intend" (reference_policies_elements_notaction);
		// likewise NotResource (reference_policies_elements_notresource) and
		// NotPrincipal, "We strongly recommend that you do not use
		// NotPrincipal in the same policy statement as Effect: Allow"
		// (reference_policies_elements_notprincipal).
		{"allow notaction", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) { st.Action, st.NotAction = nil, tList("iam:*") })),
			[]string{"policy.allow_not_action@" + st0 + "/NotAction"}},
		{"allow notresource", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) { st.Resource, st.NotResource = nil, tList("arn:aws:s3:::secret/*") })),
			[]string{"policy.allow_not_resource@" + st0 + "/NotResource"}},
		{"allow notprincipal", KindResource, tDoc(tWith(tAllow(), func(st *Statement) { st.NotPrincipal = tPrincipal("User", "mallory") })),
			[]string{"policy.allow_not_principal@" + st0 + "/NotPrincipal"}},
		{"deny notaction ok", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) { st.Action, st.NotAction = nil, tList("iam:*") })), nil},

		// Statements that provably match nothing.
		{"empty action list", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) { st.Action = []Str{} })),
			[]string{"policy.never_matches@" + st0 + "/Action"}},
		{"empty resource list", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) { st.Resource = []Str{} })),
			[]string{"policy.never_matches@" + st0 + "/Resource"}},
		{"notaction star", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) { st.Action, st.NotAction = nil, tList("*") })),
			[]string{"policy.never_matches@" + st0 + "/NotAction/0"}},
		{"notresource star", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) { st.Resource, st.NotResource = nil, tList("*") })),
			[]string{"policy.never_matches@" + st0 + "/NotResource/0"}},
		{"notprincipal star", KindResource, tDoc(tWith(tDeny(), func(st *Statement) { st.NotPrincipal = tAnyone() })),
			[]string{"policy.never_matches@" + st0 + "/NotPrincipal"}},
		{"notprincipal AWS star", KindResource, tDoc(tWith(tDeny(), func(st *Statement) { st.NotPrincipal = tPrincipal("AWS", "*") })),
			[]string{"policy.never_matches@" + st0 + "/NotPrincipal"}},
		{"principal names nobody", KindResource, tDoc(tWith(tAllow(), func(st *Statement) { st.Principal = tPrincipal("User", []string{}) })),
			[]string{"policy.never_matches@" + st0 + "/Principal"}},
		// Null true means the key is absent; an operator without IfExists
		// is false for an absent key (reference_policies_elements_condition_operators,
		// "Condition operator to check existence of condition keys").
		{"null true and presence", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("Null", "aws:TokenIssueTime", "true"), tCond("DateGreaterThan", "aws:TokenIssueTime", "2020-01-01")}
		})), []string{"policy.never_matches@" + c0 + "Null/aws:TokenIssueTime"}},
		{"null true and IfExists ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("Null", "aws:TokenIssueTime", "true"), tCond("DateGreaterThanIfExists", "aws:TokenIssueTime", "2020-01-01")}
		})), nil},
		{"null true and negated ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("Null", "aws:username", "true"), tCond("StringNotEquals", "aws:username", "bob")}
		})), nil},
		// A single-valued key cannot equal values of two disjoint sets.
		{"disjoint equals", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("StringEquals", "principal:type", "user"), tCond("StringEqualsIfExists", "Principal:Type", "app")}
		})), []string{"policy.never_matches@" + c0 + "StringEqualsIfExists/Principal:Type"}},
		{"overlapping equals ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("StringEquals", "principal:type", "user", "app"), tCond("StringEqualsIgnoreCase", "principal:type", "APP")}
		})), nil},
		{"disjoint equals on multi-valued key ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("StringEquals", "aws:username", "a"), tCond("StringEqualsIgnoreCase", "aws:username", "b")}
		})), nil},

		// "In IAM, the Sid value must be unique within a JSON policy"
		// (reference_policies_elements_sid).
		{"duplicate sid", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) { st.Sid = "Read" }), tWith(tAllow(), func(st *Statement) { st.Sid = "Read" }), tWith(tAllow(), func(st *Statement) { st.Sid = "Other" })),
			[]string{"policy.duplicate_sid@/Statement/1/Sid"}},

		// gatehouse's own keys (DESIGN.md §2): principal:roles and
		// principal:groups are plural; keys are case-insensitive.
		{"misspelt keys", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{
				tCond("ForAnyValue:StringEquals", "principal:role", "admin"),
				tCond("ForAnyValue:StringLike", "Principal:Group", "ops"),
				tCond("StringEquals", "resource:names", "x"),
				tCond("StringEquals", "jwt.sub", "x"),
				tCond("StringLike", "JWT_custom:org", "x"),
				tCond("StringEquals", "principle:id", "x"),
			}
		})), []string{
			"policy.misspelt_key@" + c0 + "ForAnyValue:StringEquals/principal:role",
			"policy.misspelt_key@" + c0 + "ForAnyValue:StringLike/Principal:Group",
			"policy.misspelt_key@" + c0 + "StringEquals/resource:names",
			"policy.misspelt_key@" + c0 + "StringEquals/jwt.sub",
			"policy.misspelt_key@" + c0 + "StringLike/JWT_custom:org",
			"policy.misspelt_key@" + c0 + "StringEquals/principle:id",
		}},
		{"well-spelt keys ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{
				tCond("ForAnyValue:StringEquals", "PRINCIPAL:ROLES", "admin"),
				tCond("StringEquals", "principal:ID", "alice"),
				tCond("StringEquals", "principal:rules", "x"),
				tCond("StringEquals", "jwt:custom:org", "acme"),
				tCond("StringEquals", "resource-groups:Name", "x"),
				tCond("StringEquals", "request:path", "/x"),
				tCond("StringEquals", "aws:username", "x"),
				tCond("Null", "principal:roles", "false"),
			}
		})), nil},
		{"misspelt variable", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Resource = tList("orders:${principal:group}/*")
		})), []string{"policy.misspelt_key@" + st0 + "/Resource/0"}},
		{"whitespace in keys", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Resource = tList("orders:${ jwt:org }/*")
			st.Conditions = []*Condition{
				tCond("ForAllValues:StringEquals", "dynamodb: LeadingKeys", "${jwt:sub}"),
				tCond("Null", "dynamodb:LeadingKeys", "false"),
				tCond("StringEquals", "aws:ResourceTag/Cost Center", "x"),
			}
		})), []string{
			"policy.key_whitespace@" + st0 + "/Resource/0",
			"policy.key_whitespace@" + c0 + "ForAllValues:StringEquals/dynamodb: LeadingKeys",
			// The Null guard is on another key than the one with a space.
			"policy.forallvalues_missing_key@" + c0 + "ForAllValues:StringEquals/dynamodb: LeadingKeys",
		}},
		// The Cognito identity pool's identity id is not the user pool sub
		// (the seeds' wrong-variable thread).
		{"cognito identity sub", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Resource = tList("arn:aws:s3:::b/${cognito-identity.amazonaws.com:sub}/*")
			st.Conditions = []*Condition{tCond("StringEquals", "cognito-identity.amazonaws.com:sub", "x")}
		})), []string{
			"policy.confusable_variable@" + st0 + "/Resource/0",
			"policy.confusable_variable@" + c0 + "StringEquals/cognito-identity.amazonaws.com:sub",
		}},

		// "ForAllValues ... also returns true if there are no keys in the
		// request ... we recommend that you add a Null condition"
		// (reference_policies_condition-single-vs-multi-valued-context-keys).
		{"forallvalues without guard", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("ForAllValues:StringEquals", "dynamodb:LeadingKeys", "${jwt:custom:companyId}")}
		})), []string{"policy.forallvalues_missing_key@" + c0 + "ForAllValues:StringEquals/dynamodb:LeadingKeys"}},
		{"forallvalues with null guard ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{
				tCond("ForAllValues:StringEquals", "dynamodb:LeadingKeys", "${jwt:custom:companyId}"),
				tCond("Null", "DynamoDB:LeadingKeys", "false"),
			}
		})), nil},
		{"forallvalues with foranyvalue guard ok", KindIdentity, tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{
				tCond("ForAllValues:StringLike", "aws:TagKeys", "env*"),
				tCond("ForAnyValue:StringEquals", "aws:TagKeys", "env"),
			}
		})), nil},
		{"forallvalues in deny ok", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("ForAllValues:StringEquals", "aws:TagKeys", "x")}
		})), nil},

		// ForAnyValue with a negated operator is true when any one value
		// differs (reference_policies_condition-single-vs-multi-valued-context-keys).
		{"foranyvalue negated", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("ForAnyValue:StringNotEquals", "aws:TagKeys", "env")}
		})), []string{"policy.foranyvalue_negated@" + c0 + "ForAnyValue:StringNotEquals/aws:TagKeys"}},

		// "Use set operators only with multivalued context keys"
		// (reference_policies_condition-single-vs-multi-valued-context-keys).
		{"set operator on single-valued key", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("ForAnyValue:StringEquals", "resource:type", "order")}
		})), []string{"policy.single_valued_set@" + c0 + "ForAnyValue:StringEquals/resource:type"}},
		{"null with set qualifier", KindIdentity, tDoc(tWith(tDeny(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("ForAllValues:Null", "aws:TagKeys", "true")}
		})), []string{"policy.null_set_qualifier@" + c0 + "ForAllValues:Null/aws:TagKeys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Validate(tt.doc, tt.kind)
			tCheck(t, tt.doc, fs, tt.want)
		})
	}
}

func TestSuggestKey(t *testing.T) {
	tests := []struct{ key, want string }{
		{"principal:role", "principal:roles"},
		{"principal:group", "principal:groups"},
		{"principal:rolse", "principal:roles"},
		{"principal:ids", "principal:id"},
		{"principal:types", "principal:type"},
		{"resource:names", "resource:name"},
		{"resource:tpye", "resource:type"},
		{"jwt.sub", "jwt:sub"},
		{"JWT_sub", "jwt:sub"},
		{"jwt-custom:org", "jwt:custom:org"},
		{"jtw:sub", "jwt:sub"},
		{"jwts:sub", "jwt:sub"},
		{"principle:roles", "principal:roles"},
		{"principals:role", "principal:roles"},
		{"principal.role", "principal:roles"},
		{"resources:name", "resource:name"},
		{"ressource:owner", "resource:owner"},
		{"request:times", "request:time"},
		{"request.ip", "request:ip"},
		{"requests:ip", "request:ip"},

		{"principal:roles", ""},
		{"Principal:Roles", ""},
		{"principal:ID", ""},
		{"principal:rules", ""},
		{"principal:dept", ""},
		{"resource:name", ""},
		{"resource:owner", ""},
		{"resource-groups:Name", ""},
		{"jwt:sub", ""},
		{"jws:sub", ""},
		{"iot:sub", ""},
		{"aws:username", ""},
		{"request:path", ""},
		{"request.path", ""},
		{"s3:prefix", ""},
		{"", ""},
		{"principal", ""},
		{"principal:", ""},
	}
	for _, tt := range tests {
		if got := suggestKey(tt.key); got != tt.want {
			t.Errorf("suggestKey(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestLintMessages(t *testing.T) {
	tests := []struct {
		doc  *Document
		want string
	}{
		{tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("ForAllValues:StringEquals", "dynamodb:LeadingKeys", "x")}
		})), `add "Null": {"dynamodb:LeadingKeys": "false"}`},
		{tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("ForAnyValue:StringNotLikeIfExists", "aws:TagKeys", "x")}
		})), `write "ForAllValues:StringNotLikeIfExists"`},
		{tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("StringEquals", "principal:role", "x")}
		})), `did you mean "principal:roles"?`},
		{tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("StringEquals", "dynamodb: LeadingKeys", "x")}
		})), `than "dynamodb:LeadingKeys"`},
		{tDoc(tWith(tAllow(), func(st *Statement) {
			st.Resource = tList("x/${cognito-identity.amazonaws.com:sub}")
		})), "write ${jwt:sub}"},
		{tDoc(tWith(tAllow(), func(st *Statement) {
			st.Conditions = []*Condition{tCond("ForAllValues:StringEquals", "principal:id", "x"), tCond("Null", "principal:id", "false")}
		})), `write "StringEquals"`},
		{tDoc(tWith(tDeny(), func(st *Statement) { st.Action = []Str{} })), "so it denies nothing"},
		{tDoc(tWith(tAllow(), func(st *Statement) { st.Sid = "A" }), tWith(tAllow(), func(st *Statement) { st.Sid = "A" })), "statement 0 (line"},
	}
	for _, tt := range tests {
		fs := Validate(tt.doc, KindIdentity)
		if !strings.Contains(fs.Error(), tt.want) {
			t.Errorf("findings %q do not contain %q", fs.Error(), tt.want)
		}
	}
}

// Warnings stop after maxFindings, with one note; errors are never dropped.
func TestValidateCapsWarnings(t *testing.T) {
	var sts []*Statement
	for i := 0; i < maxFindings+500; i++ {
		sts = append(sts, tWith(tAllow(), func(st *Statement) { st.Sid = "Same" }))
	}
	sts = append(sts, tWith(tAllow(), func(st *Statement) { st.Action = tList("bad") }))
	fs := Validate(tDoc(sts...), KindIdentity)
	counts := map[string]int{}
	for _, f := range fs {
		counts[f.Code]++
	}
	if counts[CodeDuplicateSid] != maxFindings || counts[CodeTooManyFindings] != 1 || counts[CodeBadAction] != 1 {
		t.Errorf("counts = %v, want %d duplicate_sid, 1 too_many_findings, 1 bad_action", counts, maxFindings)
	}
}
