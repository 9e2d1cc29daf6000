package engine

import (
	"slices"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/internal/textdist"
	"gatehouse.dev/gatehouse/policy"
)

// Near-miss hints: each case names the AWS IAM behaviour that makes the
// near miss a miss, the hint codes expected (exactly, in order) and phrases
// the hints must contain.
func TestExplainHints(t *testing.T) {
	s3bucket := xStmt("ListPhotos", "Allow", []string{"s3:ListBucket"}, []string{"arn:aws:s3:::photos"})
	s3objects := xStmt("ReadPhotos", "Allow", []string{"s3:GetObject"}, []string{"arn:aws:s3:::photos/*"})
	v2008 := &policy.Document{Version: policy.Version2008, Statements: []*policy.Statement{
		xStmt("Home", "Allow", []string{"s3:GetObject"}, []string{"arn:aws:s3:::home/${aws:username}/*"})}}
	tests := []struct {
		name     string
		policies []Policy
		req      Request
		codes    []string
		phrases  []string
	}{
		{
			// ARNs compare as strings ("IAM JSON policy elements:
			// Resource"): a different account is a different resource.
			name: "account segment",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("Q", "Allow", []string{"sqs:SendMessage"}, []string{"arn:aws:sqs:eu-west-1:111122223333:jobs"}))},
			req:     Request{Action: "sqs:SendMessage", Resource: Resource{Name: "arn:aws:sqs:eu-west-1:444455556666:jobs"}},
			codes:   []string{HintARNSegment},
			phrases: []string{"only in the account", "the policy says 111122223333"},
		},
		{
			name: "partition segment",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("Q", "Allow", []string{"s3:GetObject"}, []string{"arn:aws-cn:s3:::b/*"}))},
			req:     Request{Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::b/x"}},
			codes:   []string{HintARNSegment},
			phrases: []string{"only in the partition", "the policy says aws-cn"},
		},
		{
			// Resource names match case-sensitively ("IAM JSON policy
			// elements: Resource").
			name: "resource case",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("", "Allow", []string{"s3:GetObject"}, []string{"arn:aws:s3:::photos/*"}))},
			req:     Request{Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::Photos/cat.jpg"}},
			codes:   []string{HintCase},
			phrases: []string{"only in case", "p.json statement 0", "case-sensitive"},
		},
		{
			// A bucket and its objects are different resources: "b/*"
			// does not cover "b" (Amazon S3 User Guide, "Policy resources").
			name:     "bucket against objects",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity, s3objects)},
			req:      Request{Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::photos"}},
			codes:    []string{HintTrailingSlash},
			phrases:  []string{"names arn:aws:s3:::photos itself", "only what is under it (arn:aws:s3:::photos/*)"},
		},
		{
			name:     "object against bucket",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity, xStmt("ListPhotos", "Allow", []string{"s3:*"}, []string{"arn:aws:s3:::photos"}))},
			req:      Request{Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::photos/2024/cat.jpg"}},
			codes:    []string{HintTrailingSlash},
			phrases:  []string{"add arn:aws:s3:::photos/* to the Resource"},
		},
		{
			name:     "trailing slash",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity, s3bucket)},
			req:      Request{Action: "s3:ListBucket", Resource: Resource{Name: "arn:aws:s3:::photos/"}},
			codes:    []string{HintTrailingSlash},
			phrases:  []string{`differ only by the trailing "/"`},
		},
		{
			// "Policy variables": ${aws:username} is AWS's; gatehouse's
			// principal id is principal:id.
			name: "missing variable with alias",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("Home", "Allow", []string{"s3:GetObject"}, []string{"arn:aws:s3:::home/${aws:username}/*"}))},
			req:     Request{Principal: user("alice"), Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::home/alice/a.txt"}},
			codes:   []string{HintMissingKey},
			phrases: []string{"${aws:username} in the Resource of", `principal:id = "alice"`, "write ${principal:id}"},
		},
		{
			// Claim names are case-sensitive (API.md §3).
			name: "claim name case",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("Tenant", "Allow", []string{"orders:Read"}, []string{"orders:*"},
					xCond("StringEquals", "jwt:custom:companyid", "acme")))},
			req: Request{Principal: user("a"), Claims: map[string]Values{"custom:companyId": {"acme"}},
				Action: "orders:Read", Resource: Resource{Name: "orders:acme/1"}},
			codes:   []string{HintMissingKey},
			phrases: []string{"condition key jwt:custom:companyid", `jwt:custom:companyId = "acme"`, "claim names are case-sensitive"},
		},
		{
			// Without a look-alike, the hint lists the token's claims.
			name: "missing claim lists claims",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("Org", "Allow", []string{"s3:GetObject"}, []string{"arn:aws:s3:::b/${jwt:organization}/*"}))},
			req: Request{Claims: map[string]Values{"sub": {"1"}, "custom:org": {"acme"}},
				Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::b/acme/x"}},
			codes:   []string{HintMissingKey},
			phrases: []string{"${jwt:organization}", "this token's claims are jwt:custom:org, jwt:sub"},
		},
		{
			// "Policy variables": a multi-valued key is not substituted.
			name: "multi-valued variable",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("", "Allow", []string{"orders:Read"}, []string{"orders:${principal:groups}/*"}))},
			req:     Request{Principal: Principal{Type: "user", ID: "a", Groups: []string{"acme", "globex"}}, Action: "orders:Read", Resource: Resource{Name: "orders:acme/1"}},
			codes:   []string{HintMissingKey},
			phrases: []string{"${principal:groups}", "has 2 values", "single-valued"},
		},
		{
			// StringEquals is case-sensitive ("Condition operators").
			name: "condition value case",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("Dept", "Allow", []string{"hr:Read"}, []string{"*"}, xCond("StringEquals", "principal:dept", "Finance")))},
			req:     Request{Principal: Principal{Type: "user", ID: "a", Attributes: map[string]Values{"dept": {"finance"}}}, Action: "hr:Read", Resource: Resource{Name: "hr:1"}},
			codes:   []string{HintCase},
			phrases: []string{`the request has "finance", the policy says "Finance"`},
		},
		{
			// Principal entries compare case-sensitively (API.md §2: ids
			// as given).
			name: "principal role case",
			policies: []Policy{xPolicy("bucket.json", policy.KindResource,
				xPrincipal(xStmt("Admins", "Allow", []string{"s3:*"}, []string{"arn:aws:s3:::b/*"}), false, "Role:Admin"))},
			req:     Request{Principal: Principal{Type: "user", ID: "a", Roles: []string{"admin"}}, Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::b/x"}},
			codes:   []string{HintCase},
			phrases: []string{`the request's role is "admin", the policy names Role:Admin`},
		},
		{
			name:     "similar action",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity, s3objects)},
			req:      Request{Action: "s3:GetObjects", Resource: Resource{Name: "arn:aws:s3:::photos/x"}},
			codes:    []string{HintSimilarAction},
			phrases:  []string{"the action s3:GetObjects is not s3:GetObject"},
		},
		{
			// Two edits and a different verb: a different action, not a slip.
			name:     "different verb is not similar",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity, s3objects)},
			req:      Request{Action: "s3:PutObject", Resource: Resource{Name: "arn:aws:s3:::photos/x"}},
			codes:    nil,
		},
		{
			// "Policy evaluation logic": an explicit deny overrides any allow.
			name: "broad deny overrides",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("All", "Allow", []string{"*"}, []string{"*"}),
				xStmt("Nothing", "Deny", []string{"*"}, []string{"*"}))},
			req:     Request{Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::b/x"}},
			codes:   []string{HintDenyOverrides},
			phrases: []string{`statement "Nothing" (p.json statement 1) denies "*" on "*"`, `overrides statement "All"`},
		},
		{
			// A narrow Deny beside a broad Allow is the intended pattern.
			name: "narrow deny is intended",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("All", "Allow", []string{"s3:*"}, []string{"*"}),
				xStmt("Secret", "Deny", []string{"s3:*"}, []string{"arn:aws:s3:::b/secret/*"}))},
			req:   Request{Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::b/secret/x"}},
			codes: nil,
		},
		{
			// Variables are substituted only under Version 2012-10-17
			// ("Policy variables").
			name:     "variable in a 2008 document",
			policies: []Policy{{Name: "old.json", Kind: policy.KindIdentity, Doc: v2008}},
			req:      Request{Principal: user("alice"), Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::home/alice/x"}},
			codes:    []string{HintLiteralVariable},
			phrases:  []string{`"Version": "2012-10-17"`, "literal text"},
		},
		{
			// Near misses of Allows cannot change an explicit deny: only
			// the deny is explained.
			name: "no allow hints under an explicit deny",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("Region", "Allow", []string{"s3:GetObject"}, []string{"arn:aws:s3:us-east-2::b/*"}),
				xStmt("Secret", "Deny", []string{"s3:*"}, []string{"arn:aws:s3:us-east-1::b/*"}))},
			req:   Request{Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:us-east-1::b/x"}},
			codes: nil,
		},
		{
			// Under an allow, a Deny that nearly applied is worth knowing.
			name: "deny near miss under an allow",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("All", "Allow", []string{"s3:*"}, []string{"*"}),
				xStmt("Secret", "Deny", []string{"s3:*"}, []string{"arn:aws:s3:::b/Secret/*"}))},
			req:     Request{Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::b/secret/x"}},
			codes:   []string{HintCase},
			phrases: []string{`statement "Secret"`},
		},
		{
			// An identity Allow counts only within the boundary ("Policy
			// evaluation logic"): the boundary's near miss is what to fix.
			name: "boundary near miss",
			policies: []Policy{
				xPolicy("id.json", policy.KindIdentity, xStmt("", "Allow", []string{"s3:*"}, []string{"*"})),
				xPolicy("boundary.json", policy.KindBoundary, xStmt("B", "Allow", []string{"s3:*"}, []string{"arn:aws:s3:::b/*"})),
			},
			req:     Request{Action: "s3:ListBucket", Resource: Resource{Name: "arn:aws:s3:::b"}},
			codes:   []string{HintTrailingSlash},
			phrases: []string{`statement "B" (boundary.json statement 0)`},
		},
		{
			// The same missing key in several statements is one hint.
			name: "one hint per missing key",
			policies: []Policy{xPolicy("p.json", policy.KindIdentity,
				xStmt("A", "Allow", []string{"s3:GetObject"}, []string{"arn:aws:s3:::a/${jwt:org}/*"}),
				xStmt("B", "Allow", []string{"s3:GetObject"}, []string{"arn:aws:s3:::b/${jwt:org}/*"}))},
			req:     Request{Action: "s3:GetObject", Resource: Resource{Name: "arn:aws:s3:::a/acme/x"}},
			codes:   []string{HintMissingKey},
			phrases: []string{"the same holds for 1 more statement"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustCompile(t, tt.policies...)
			r := tt.req
			x := e.Explain(&r, nil)
			if len(x.Trace.Problems) > 0 {
				t.Errorf("problems: %q", x.Trace.Problems)
			}
			var codes []string
			var all strings.Builder
			for _, h := range x.Trace.Hints {
				codes = append(codes, h.Code)
				all.WriteString(h.Message + "\n")
				if h.Statement == nil {
					t.Errorf("hint %s names no statement", h.Code)
				}
			}
			if !slices.Equal(codes, tt.codes) {
				t.Errorf("codes = %v, want %v\n%s", codes, tt.codes, all.String())
			}
			for _, p := range tt.phrases {
				if !strings.Contains(all.String(), p) {
					t.Errorf("hints lack %q:\n%s", p, all.String())
				}
			}
		})
	}
}

// Hints name only what a person could have meant.
func TestSimilarActionName(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"GetObjects", "GetObject", true},
		{"Raed", "Read", true}, // transposition: one edit
		{"ListObjectsV2", "ListObjects", true},
		{"getobject", "GetObject", false}, // same name: actions ignore case
		{"PutObject", "GetObject", false}, // two edits, another verb
		{"DeleteItem", "GetItem", false},
		{"Scan", "Query", false},
	} {
		if got := similarActionName(tt.a, tt.b); got != tt.want {
			t.Errorf("similarActionName(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestKeyCloseness(t *testing.T) {
	for _, tt := range []struct {
		missing, have string
		want          int
	}{
		{"jwt:custom:companyid", "jwt:custom:companyId", 0},
		{"cognito-identity.amazonaws.com:sub", "jwt:sub", 1},
		{"aws:PrincipalTag/dept", "principal:dept", 1},
		{"principal:role", "principal:roles", 2},
		{"jwt:organisation", "principal:organization", 3},
		{"jwt:sub", "jwt:email", -1},
		{"jwt:sub", "jwt:sub", -1},
	} {
		if got := keyCloseness(tt.missing, tt.have); got != tt.want {
			t.Errorf("keyCloseness(%q, %q) = %d, want %d", tt.missing, tt.have, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"abc", "acb", 1},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"héllo", "hello", 1},
		{"aaaaaaaaaa", "b", 3}, // gives up above the limit
	} {
		if got := textdist.Distance(tt.a, tt.b, 2); got != min(tt.want, 3) {
			t.Errorf("textdist.Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, min(tt.want, 3))
		}
	}
}
