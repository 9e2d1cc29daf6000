package engine

import (
	"flag"
	"strings"

	"gatehouse.dev/gatehouse/policy"
)

// Test documents for explain, built in Go (they read as the JSON a user
// would write: see the comments).

func init() {
	// -update rewrites the golden files of testdata/explain. Another test
	// file of the package may define the same flag; share it then.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// xCond builds one condition ("ForAllValues:StringEquals", key, values).
func xCond(op, key string, values ...string) *policy.Condition {
	o, _ := policy.ParseOperator(op)
	return &policy.Condition{Operator: policy.Str{Value: op}, Op: o, Key: policy.Str{Value: key},
		Values: strs(values...), ValuesIsList: len(values) != 1}
}

// xStmt builds a statement: effect "Allow" or "Deny"; a leading "!" on the
// first action or resource makes the list NotAction or NotResource.
func xStmt(sid, effect string, actions, resources []string, conds ...*policy.Condition) *policy.Statement {
	s := &policy.Statement{Sid: sid, Effect: policy.Allow, Conditions: conds}
	if effect == "Deny" {
		s.Effect = policy.Deny
	}
	if len(actions) > 0 && strings.HasPrefix(actions[0], "!") {
		s.NotAction = strs(append([]string{actions[0][1:]}, actions[1:]...)...)
	} else {
		s.Action = strs(actions...)
	}
	switch {
	case resources == nil:
	case len(resources) > 0 && strings.HasPrefix(resources[0], "!"):
		s.NotResource = strs(append([]string{resources[0][1:]}, resources[1:]...)...)
	default:
		s.Resource = strs(resources...)
	}
	return s
}

// xPrincipal sets a statement's Principal: "*" or "Type:id" entries.
func xPrincipal(s *policy.Statement, not bool, entries ...string) *policy.Statement {
	p := &policy.Principal{}
	for _, e := range entries {
		if e == "*" {
			p.Any = true
			continue
		}
		typ, id, _ := strings.Cut(e, ":")
		p.Entries = append(p.Entries, policy.PrincipalEntry{Type: policy.Str{Value: typ}, IDs: strs(id)})
	}
	if not {
		s.NotPrincipal = p
	} else {
		s.Principal = p
	}
	return s
}

func xPolicy(name string, kind policy.Kind, stmts ...*policy.Statement) Policy {
	return Policy{Name: name, Kind: kind, Doc: doc(stmts...)}
}

func xVals(vs ...string) Values { return Values(vs) }

// explainCase is one scenario with a golden text and JSON rendering.
type explainCase struct {
	name     string
	policies []Policy
	req      Request
	fields   []string
	// reason is the expected decision; hints the codes expected among the
	// hints; text, phrases the text must contain (the answer to the
	// thread the case comes from).
	reason Reason
	hints  []string
	text   []string
}

func explainCases() []explainCase {
	return []explainCase{
		{
			// seeds/questions.txt, "AWS IAM policy issue for DynamoDB table
			// access by authenticated Cognito users": the policy grants
			// us-east-2, the table is in us-east-1.
			name: "region_mismatch",
			policies: []Policy{xPolicy("Cognito_VODStreamTestAuth_Role.json", policy.KindIdentity,
				xStmt("", "Allow", []string{"mobileanalytics:PutEvents", "cognito-sync:*", "cognito-identity:*"}, []string{"*"}),
				xStmt("AllowedCatalogActions", "Allow", []string{
					"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem",
					"dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"},
					[]string{"arn:aws:dynamodb:us-east-2:123456789012:table/VideoCatalog"}),
			)},
			req: Request{
				Principal: Principal{Type: "user", ID: "cognito:us-east-1:7d2f9c4e-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
					Roles: []string{"Cognito_VODStreamTestAuth_Role", "$authenticated", "$everyone"}},
				Action:   "dynamodb:Scan",
				Resource: Resource{Name: "arn:aws:dynamodb:us-east-1:123456789012:table/VideoCatalog"},
			},
			reason: ImplicitDeny,
			hints:  []string{HintARNSegment},
			text:   []string{"only in the region", "us-east-1", "us-east-2", "AllowedCatalogActions"},
		},
		{
			// seeds/questions.txt, "How to use DynamoDB fine grained access
			// control with Cognito User Pools?": the policy compares the
			// partition key with ${cognito-identity.amazonaws.com:sub},
			// which is not the user pool's sub.
			name: "wrong_sub",
			policies: []Policy{xPolicy("RoleName.json", policy.KindIdentity,
				xStmt("", "Allow", []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
					"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"},
					[]string{"arn:aws:dynamodb:ap-southeast-2:123456789012:table/documents"},
					xCond("ForAllValues:StringEquals", "dynamodb:LeadingKeys", "${cognito-identity.amazonaws.com:sub}")),
			)},
			req: Request{
				Principal: Principal{Type: "user", ID: "cognito:4fbf0c06-03a9-4cbe-b45c-ca4cd0f5f3cb",
					Roles: []string{"$authenticated", "$everyone"}},
				Claims: map[string]Values{
					"sub":            xVals("4fbf0c06-03a9-4cbe-b45c-ca4cd0f5f3cb"),
					"email_verified": xVals("true"),
					"email":          xVals("jane@example.com"),
					"iss":            xVals("https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_Ab12Cd34E"),
				},
				Action:   "dynamodb:GetItem",
				Resource: Resource{Name: "arn:aws:dynamodb:ap-southeast-2:123456789012:table/documents"},
				Context:  map[string]Values{"dynamodb:LeadingKeys": xVals("4fbf0c06-03a9-4cbe-b45c-ca4cd0f5f3cb")},
			},
			reason: ImplicitDeny,
			hints:  []string{HintMissingKey},
			text:   []string{"${cognito-identity.amazonaws.com:sub}", "has no value in this request", `jwt:sub = "4fbf0c06-03a9-4cbe-b45c-ca4cd0f5f3cb"`, "write ${jwt:sub}"},
		},
		{
			// seeds/questions.txt, "Loopback - How to assign an access
			// token to a role?": LoopBack's ACL "DENY $everyone, ALLOW
			// admin" written as IAM statements denies the admin too.
			name: "loopback_trap",
			policies: []Policy{xPolicy("order-acl.json", policy.KindIdentity,
				xStmt("DenyEveryone", "Deny", []string{"orders:*"}, []string{"orders:*"},
					xCond("StringEquals", "principal:roles", "$everyone")),
				xStmt("AllowAdmin", "Allow", []string{"orders:*"}, []string{"orders:*"},
					xCond("StringEquals", "principal:roles", "admin")),
			)},
			req: Request{
				Principal: Principal{Type: "user", ID: "1", Roles: []string{"admin", "$authenticated", "$everyone"}},
				Action:    "orders:Delete",
				Resource:  Resource{Name: "orders:acme/17"},
			},
			reason: ExplicitDeny,
			hints:  []string{HintDenyOverrides},
			text:   []string{"explicit Deny always wins", "rely on the default deny", "DenyEveryone", "AllowAdmin"},
		},
		{
			// IAM User Guide, "Policy evaluation logic": an identity Allow
			// counts only within the permissions boundary and the session
			// policy.
			name: "boundary_session_allow",
			policies: []Policy{
				xPolicy("developer.json", policy.KindIdentity,
					xStmt("Reports", "Allow", []string{"s3:*"}, []string{"arn:aws:s3:::reports/*"})),
				xPolicy("boundary.json", policy.KindBoundary,
					xStmt("ReadWriteOnly", "Allow", []string{"s3:GetObject", "s3:PutObject"}, []string{"*"})),
				xPolicy("session.json", policy.KindSession,
					xStmt("OwnOrg", "Allow", []string{"s3:GetObject"}, []string{"arn:aws:s3:::reports/${jwt:custom:org}/*"})),
			},
			req: Request{
				Principal: Principal{Type: "user", ID: "bob"},
				Claims:    map[string]Values{"custom:org": xVals("acme")},
				Action:    "s3:GetObject",
				Resource:  Resource{Name: "arn:aws:s3:::reports/acme/q3.pdf"},
			},
			reason: Allowed,
			text:   []string{"ALLOW by developer.json statement 0", `boundary.json statement 0 ("ReadWriteOnly") of the permissions boundary`},
		},
		{
			// The same policies: the boundary does not allow DeleteObject.
			name: "boundary_limits",
			policies: []Policy{
				xPolicy("developer.json", policy.KindIdentity,
					xStmt("Reports", "Allow", []string{"s3:*"}, []string{"arn:aws:s3:::reports/*"})),
				xPolicy("boundary.json", policy.KindBoundary,
					xStmt("ReadWriteOnly", "Allow", []string{"s3:GetObject", "s3:PutObject"}, []string{"*"})),
			},
			req: Request{
				Principal: Principal{Type: "user", ID: "bob"},
				Action:    "s3:DeleteObject",
				Resource:  Resource{Name: "arn:aws:s3:::reports/acme/q3.pdf"},
			},
			reason: ImplicitDeny,
			text:   []string{"but the permissions boundary does not", "this is why it is denied"},
		},
		{
			// IAM User Guide, "Policy evaluation logic": a resource-based
			// policy that names the principal itself is not limited by the
			// permissions boundary; one that names it through a role is.
			name: "resource_policy_direct",
			policies: []Policy{
				xPolicy("bucket-policy.json", policy.KindResource,
					xPrincipal(xStmt("AliceWrites", "Allow", []string{"s3:PutObject"}, []string{"arn:aws:s3:::inbox/*"}), false, "User:alice"),
					xPrincipal(xStmt("OpsDeletes", "Allow", []string{"s3:PutObject", "s3:DeleteObject"}, []string{"arn:aws:s3:::inbox/*"}), false, "Role:ops")),
				xPolicy("boundary.json", policy.KindBoundary,
					xStmt("ReadOnly", "Allow", []string{"s3:GetObject"}, []string{"*"})),
			},
			req: Request{
				Principal: Principal{Type: "user", ID: "alice", Roles: []string{"ops"}},
				Action:    "s3:PutObject",
				Resource:  Resource{Name: "arn:aws:s3:::inbox/report.csv"},
			},
			reason: Allowed,
			text:   []string{"a resource policy that names the principal directly, so the permissions boundary does not limit it", "not by naming the principal directly"},
		},
		{
			// IAM User Guide, "Condition operators": ...IfExists is true
			// when the key is absent; ForAllValues is true for a missing or
			// empty key ("Multivalued context keys"), hence the Null guard.
			name: "ifexists_forallvalues",
			policies: []Policy{xPolicy("tenant.json", policy.KindIdentity,
				xStmt("TenantRead", "Allow", []string{"orders:Read", "orders:List"}, []string{"orders:*"},
					xCond("StringEqualsIfExists", "resource:tenant", "${jwt:custom:org}"),
					xCond("ForAllValues:StringEquals", "orders:tags", "public", "internal")),
				xStmt("NoForeignTenant", "Deny", []string{"orders:*"}, []string{"*"},
					xCond("StringNotEqualsIfExists", "resource:tenant", "${jwt:custom:org}")),
			)},
			req: Request{
				Principal: Principal{Type: "user", ID: "alice"},
				Claims:    map[string]Values{"custom:org": xVals("acme")},
				Action:    "orders:Read",
				Resource:  Resource{Name: "orders:acme/17", Attributes: map[string]Values{"tenant": xVals("acme")}},
			},
			reason: Allowed,
			hints:  []string{HintMissingKey},
			text:   []string{"ForAllValues is true for a missing or empty key", `"Null": {"orders:tags": "false"}`},
		},
		{
			// seeds/questions.txt, "AWS Appsync - IAM permission": id and
			// email readable, firstName and lastName not (API.md §5).
			name: "fields",
			policies: []Policy{xPolicy("user-fields.json", policy.KindIdentity,
				xStmt("ReadUsers", "Allow", []string{"graphql:Query"}, []string{"graphql:User/*"}),
				xStmt("HideNames", "Deny", []string{"graphql:Query"}, []string{"graphql:User/*#firstName", "graphql:User/*#lastName"}),
			)},
			req: Request{
				Principal: Principal{Type: "app", ID: "web-client"},
				Action:    "graphql:Query",
				Resource:  Resource{Name: "graphql:User/42"},
			},
			fields: []string{"id", "email", "firstName", "lastName"},
			reason: Allowed,
			text:   []string{"firstName", "Denied explicitly by user-fields.json statement 1 (\"HideNames\")"},
		},
	}
}
