package directory

import (
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/engine"
)

// An implicit deny says which role (or group) would have allowed it and
// how that role is given — the LoopBack thread's "why is user 2 denied?".
func TestExplainRoleWouldAllow(t *testing.T) {
	d := build(t,
		obj{"policy/orders-admin", `{"document": {"Version": "2012-10-17", "Statement": [{"Sid": "AdminAll", "Effect": "Allow", "Action": "orders:*", "Resource": "orders:Order/*"}]}}`},
		obj{"policy/reports", `{"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "reports:Read", "Resource": "*"}]}}`},
		obj{"policy/unrelated", `{"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "invoices:*", "Resource": "*"}]}}`},
		obj{"role/admin", `{"policies": ["orders-admin"]}`},
		obj{"role/billing", `{"policies": ["unrelated"]}`},
		obj{"group/analysts", `{"policies": ["reports"]}`},
		obj{"role_mapping/8", `{"principal_type": "USER", "principal_id": "1", "role": "admin"}`},
		obj{"role_mapping/9", `{"principal_type": "GROUP", "principal_id": "ops", "role": "admin"}`},
		obj{"claim_rule/admins", `{"claim": "groups", "op": "contains", "value": "admins", "role": "admin"}`},
	)
	explain := func(user, action, resource string) *ExplainResult {
		return d.Explain(&CheckInput{Subject: Subject{Type: "user", ID: user}, Action: action, Resource: engine.Resource{Name: resource}})
	}
	x := explain("2", "orders:deleteById", "orders:Order/17")
	if len(x.Warnings) != 1 || x.Warnings[0].Code != CodeRoleWouldAllow {
		t.Fatalf("user 2: warnings %v", x.Warnings)
	}
	msg := x.Warnings[0].Message
	for _, want := range []string{`role "admin" would allow it`, `"orders-admin" statement 0 ("AdminAll")`, "user 2 does not hold", "role mapping 8 (USER 1 → admin)",
		"role mapping 9 (GROUP ops → admin)", "claim rule admins"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q:\n%s", want, msg)
		}
	}
	// A group would allow reports; the role billing allows nothing here.
	x = explain("2", "reports:Read", "r")
	if len(x.Warnings) != 1 || !strings.Contains(x.Warnings[0].Message, `group "analysts" would allow it`) {
		t.Errorf("reports: %v", x.Warnings)
	}
	// Allowed, or denied by nothing any role would allow: no such warning.
	for _, c := range [][3]string{{"1", "orders:deleteById", "orders:Order/17"}, {"2", "payroll:Run", "x"}} {
		if x := explain(c[0], c[1], c[2]); len(x.Warnings) != 0 {
			t.Errorf("%v: %v", c, x.Warnings)
		}
	}
}
