package workload

import (
	"fmt"
	"strings"
)

// Wildcard vocabulary: 8 verbs x 4 nouns = 32 actions per service, 4
// regions, 8 accounts, 20 tables per service; index names are one letter
// a-w, one of x, y, z, and digits, so that "?x*" selects the indexes whose
// second letter is x.
var (
	wildVerbs   = []string{"Get", "Put", "Query", "Scan", "Delete", "Update", "Describe", "List"}
	wildNouns   = []string{"Item", "Table", "Index", "Stream"}
	wildRegions = []string{"us-east-1", "us-east-2", "eu-west-1", "ap-south-1"}
)

const (
	wildAccounts = 8
	wildTables   = 20
)

func wildAccount(i int) string { return fmt.Sprintf("1000000000%02d", i) }

// genWildcard builds the wildcard workload (docs/benchmarks.md,
// "wildcard"): no conditions, wildcards inside actions and resources.
//
//   - statement 0: Allow "*:Describe*" on "*";
//   - statement 1: Deny "*:Delete*" on "*:table/*/index/?z*";
//   - every other statement (90% Allow, 10% Deny) has one action pattern of
//     service S: "svcS:Verb*" (35%), "svcS:*Noun" (25%), "svcS:Verb*Noun"
//     (20%), "svcS:VerbNoun" with one letter replaced by ? (10%), or
//     "svcS*:VerbNoun" (10%, a wildcard in the service name); and one
//     resource pattern "arn:gh:svcS:REGION:ACCOUNT:table/TABLE[TAIL]" where
//     REGION and ACCOUNT are * 30% of the time each, TABLE is "tK*" (50%),
//     "tK" (30%) or "*" (20%), and TAIL is "/index/?x*" with x one of x, y,
//     z (30%), "/*" (30%) or nothing (40%).
//
// Services number size/100 (at least 1).
func genWildcard(g *gen0) {
	size := g.w.Size
	services := scale(size, 100, 1)
	g.add(Statement{Effect: Allow, Action: "*:Describe*", Resource: "*"})
	g.add(Statement{Effect: Deny, Action: "*:Delete*", Resource: "*:table/*/index/?z*"})
	for len(g.w.Statements) < size {
		s := g.n(services)
		svc := fmt.Sprintf("svc%d", s)
		verb, noun := g.pick(wildVerbs), g.pick(wildNouns)
		var act string
		switch k := g.n(100); {
		case k < 35:
			act = svc + ":" + verb + "*"
		case k < 60:
			act = svc + ":*" + noun
		case k < 80:
			act = svc + ":" + verb + "*" + noun
		case k < 90:
			name := []byte(verb + noun)
			name[g.n(len(name))] = '?'
			act = svc + ":" + string(name)
		default:
			act = svc + "*:" + verb + noun
		}
		region, account := g.pick(wildRegions), wildAccount(g.n(wildAccounts))
		if g.chance(30) {
			region = "*"
		}
		if g.chance(30) {
			account = "*"
		}
		var table string
		switch k := g.n(100); {
		case k < 50:
			table = fmt.Sprintf("t%d*", g.n(wildTables))
		case k < 80:
			table = fmt.Sprintf("t%d", g.n(wildTables))
		default:
			table = "*"
		}
		var tail string
		switch k := g.n(100); {
		case k < 30:
			tail = "/index/?" + string("xyz"[g.n(3)]) + "*"
		case k < 60:
			tail = "/*"
		}
		st := Statement{Effect: Allow, Action: act,
			Resource: fmt.Sprintf("arn:gh:%s:%s:%s:table/%s%s", svc, region, account, table, tail)}
		if g.chance(10) {
			st.Effect = Deny
		}
		g.add(st)
	}
	for i := 0; i < RequestCount; i++ {
		r := Request{Principal: fmt.Sprintf("user%d", i)}
		if g.chance(50) {
			st := g.w.Statements[g.n(size)]
			r.Action = g.actionFor(st.Action, services)
			r.Resource = g.resourceFor(st.Resource, services)
		} else {
			r.Action = fmt.Sprintf("svc%d:%s%s", g.n(services), g.pick(wildVerbs), g.pick(wildNouns))
			r.Resource = g.resourceFor("*", services)
		}
		g.request(r)
	}
}

// actionFor returns an action of the vocabulary that matches pat when one is
// found in a few tries, else a random action of pat's service.
func (g *gen0) actionFor(pat string, services int) string {
	svc, _, _ := strings.Cut(pat, ":")
	svc = strings.TrimSuffix(svc, "*")
	if !strings.HasPrefix(svc, "svc") {
		svc = fmt.Sprintf("svc%d", g.n(services))
	}
	var a string
	for range 20 {
		a = svc + ":" + g.pick(wildVerbs) + g.pick(wildNouns)
		if Like(pat, a, true) {
			break
		}
	}
	return a
}

// resourceFor returns a resource of the wildcard vocabulary built to match
// pat's literal parts where it can (the model decides whether it does).
func (g *gen0) resourceFor(pat string, services int) string {
	parts := strings.SplitN(pat, ":", 6)
	for len(parts) < 6 {
		parts = append(parts, "*")
	}
	svc, region, account, rest := parts[2], parts[3], parts[4], parts[5]
	if svc == "*" {
		svc = fmt.Sprintf("svc%d", g.n(services))
	}
	if region == "*" {
		region = g.pick(wildRegions)
	}
	if account == "*" {
		account = wildAccount(g.n(wildAccounts))
	}
	table, tail, _ := strings.Cut(strings.TrimPrefix(rest, "table/"), "/")
	switch {
	case table == "*" || table == "":
		table = fmt.Sprintf("t%d", g.n(wildTables))
	case strings.HasSuffix(table, "*"):
		table = strings.TrimSuffix(table, "*")
		if g.chance(50) {
			table += fmt.Sprint(g.n(10))
		}
	}
	name := fmt.Sprintf("arn:gh:%s:%s:%s:table/%s", svc, region, account, table)
	if tail != "" || g.chance(30) {
		second := "xyz"[g.n(3)]
		if i := strings.IndexByte(tail, '?'); i >= 0 && i+1 < len(tail) && strings.IndexByte("xyz", tail[i+1]) >= 0 {
			second = tail[i+1]
		}
		name += fmt.Sprintf("/index/%c%c%d", 'a'+byte(g.n(23)), second, g.n(1000))
	}
	return name
}
