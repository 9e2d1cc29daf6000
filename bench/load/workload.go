package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// The store the load runs against: the LoopBack thread's scenario (an
// admin role allowed everything on orders, everyone else denied by
// default) grown into a small shop: customers read orders, owners update
// their own, support staff act within their tenant, and locked orders
// cannot be changed by anyone but an admin. users users exist, ten of
// them admins, every 25th in the support-team group, every other one a
// customer through a USER role mapping.

// policies are the policy documents, by id.
var policies = map[string]any{
	// The LoopBack admin: everything on the Order model.
	"orders-admin": doc(stmt("AdminAll", "Allow", []string{"orders:*"}, "orders:Order/*", nil)),
	"orders-read": doc(stmt("CustomersRead", "Allow",
		[]string{"orders:find", "orders:findById", "orders:count"}, "orders:Order/*", nil)),
	"orders-owner": doc(stmt("OwnersChangeTheirOrders", "Allow",
		[]string{"orders:updateById", "orders:patchAttributes"}, "orders:Order/*", nil)),
	"orders-support": doc(stmt("SupportWithinTenant", "Allow",
		[]string{"orders:find*", "orders:updateById", "orders:patchAttributes"}, "orders:Order/*",
		map[string]any{"StringEquals": map[string]any{"resource:tenant": "${principal:tenant}"}})),
	"orders-locked": doc(stmt("LockedOrdersStay", "Deny",
		[]string{"orders:updateById", "orders:patchAttributes", "orders:deleteById"}, "orders:Order/*",
		map[string]any{
			"StringEquals":                 map[string]any{"resource:status": "locked"},
			"ForAllValues:StringNotEquals": map[string]any{"principal:roles": "admin"},
		})),
}

func doc(stmts ...map[string]any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": stmts}
}

func stmt(sid, effect string, actions []string, resource string, cond map[string]any) map[string]any {
	s := map[string]any{"Sid": sid, "Effect": effect, "Action": actions, "Resource": resource}
	if cond != nil {
		s["Condition"] = cond
	}
	return s
}

// roleDef is a role's body.
type roleDef struct {
	name     string
	policies []string
	includes []string
}

var roles = []roleDef{
	{name: "admin", policies: []string{"orders-admin"}},
	{name: "customer", policies: []string{"orders-read"}},
	{name: "support", policies: []string{"orders-support"}, includes: []string{"customer"}},
	{name: "$owner", policies: []string{"orders-owner"}},
	{name: "$authenticated", policies: []string{"orders-locked"}},
}

const (
	admins     = 10
	supportGrp = "support-team"
	tenants    = 20
)

// userBody is user i's body.
func userBody(i int) map[string]any {
	groups := []string{}
	if i%25 == 0 {
		groups = append(groups, supportGrp)
	}
	return map[string]any{
		"attributes": map[string]any{"tenant": fmt.Sprintf("t%d", i%tenants), "email": fmt.Sprintf("user%d@example.com", i)},
		"groups":     groups,
	}
}

// userRole is the role user i is mapped to ("" for none: support staff get
// theirs through the group).
func userRole(i int) string {
	switch {
	case i <= admins:
		return "admin"
	case i%25 == 0:
		return ""
	}
	return "customer"
}

// actions are the checked actions and their weights (reads dominate).
var actions = []struct {
	name   string
	weight int
}{
	{"orders:find", 30}, {"orders:findById", 30}, {"orders:count", 5},
	{"orders:create", 5}, {"orders:updateById", 15}, {"orders:patchAttributes", 5},
	{"orders:deleteById", 10},
}

// checkBody is one check: a stored user (95 %) or one the store does not
// know, an action by weight, an order owned by the subject 30 % of the
// time, in the subject's tenant half the time, locked 10 % of the time.
func checkBody(r *rand.Rand, users int) map[string]any {
	uid := r.IntN(users) + 1
	id := fmt.Sprint(uid)
	if r.IntN(100) < 5 {
		id = fmt.Sprintf("guest-%d", r.IntN(100000))
	}
	total := 0
	for _, a := range actions {
		total += a.weight
	}
	w := r.IntN(total)
	action := actions[0].name
	for _, a := range actions {
		if w < a.weight {
			action = a.name
			break
		}
		w -= a.weight
	}
	owner := id
	if r.IntN(100) >= 30 {
		owner = fmt.Sprint(r.IntN(users) + 1)
	}
	tenant := fmt.Sprintf("t%d", uid%tenants)
	if r.IntN(2) == 0 {
		tenant = fmt.Sprintf("t%d", r.IntN(tenants))
	}
	status := "open"
	if r.IntN(10) == 0 {
		status = "locked"
	}
	return map[string]any{
		"principal": map[string]any{"type": "user", "id": id},
		"action":    action,
		"resource": map[string]any{
			"name":       fmt.Sprintf("orders:Order/%d", r.IntN(100000)),
			"attributes": map[string]any{"owner": owner, "tenant": tenant, "status": status},
		},
	}
}

// checkBodies returns n single-check bodies, or n batch bodies of batch
// checks each when batch > 0, from seed.
func checkBodies(seed uint64, n, batch, users int) [][]byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([][]byte, n)
	for i := range out {
		var v any
		if batch > 0 {
			checks := make([]any, batch)
			for j := range checks {
				checks[j] = checkBody(r, users)
			}
			v = map[string]any{"checks": checks}
		} else {
			v = checkBody(r, users)
		}
		b, err := json.Marshal(v)
		if err != nil {
			panic(err) // maps of strings always marshal
		}
		out[i] = b
	}
	return out
}
