package directory

import (
	"encoding/json"
	"strings"
)

// This file renders provenance for people: "admin via role mapping 7: USER
// 1 → admin".

// String renders one step: "admin via role mapping 7: USER 1 → admin",
// "staff via role editor includes staff", "member via claim rule r1: groups
// contains admins", "$owner: resource attribute owner = 1".
func (g Grant) String() string {
	var b strings.Builder
	switch g.Kind {
	case GrantMapping:
		b.WriteString(g.Role + " via role mapping ")
		if m := g.Mapping; m != nil {
			b.WriteString(m.ID + ": " + string(m.PrincipalType) + " " + m.PrincipalID + " → " + m.Role)
			if m.PrincipalType == PrincipalGroup {
				switch g.GroupSource {
				case "stored":
					b.WriteString(" (member of " + m.PrincipalID + ": stored user)")
				case "request":
					b.WriteString(" (member of " + m.PrincipalID + ": given in the request)")
				}
			}
		}
	case GrantIncludes:
		b.WriteString(g.Role + " via role " + g.From + " includes " + g.Role)
	case GrantClaimRule:
		b.WriteString(g.Role + " via claim rule ")
		if c := g.Rule; c != nil {
			b.WriteString(c.ID + ": " + c.Claim + " " + string(c.Op))
			if c.Op != ClaimPresent {
				b.WriteString(" " + c.Value)
			}
			if c.Issuer != "" {
				b.WriteString(" (issuer " + c.Issuer + ")")
			}
		}
	case GrantDynamic:
		b.WriteString(g.Role + ": ")
		switch g.Role {
		case RoleEveryone:
			b.WriteString("every principal")
		case RoleAuthenticated:
			b.WriteString(strings.TrimSpace(g.From) + " is authenticated")
		case RoleUnauthenticated:
			b.WriteString("no principal (anonymous)")
		case RoleOwner:
			b.WriteString("resource attribute owner = " + g.From)
		}
	case GrantAsserted:
		b.WriteString(g.Role + " asserted by the caller")
	case GrantSession:
		b.WriteString(g.Role + " assumed in session " + g.From)
	default:
		b.WriteString(g.Role)
	}
	return b.String()
}

// String renders the step that gave the role (Grant.String).
func (r ResolvedRole) String() string { return r.Grant.String() }

// grantJSON is a Grant's JSON form.
type grantJSON struct {
	Kind          GrantKind     `json:"kind"`
	Role          string        `json:"role"`
	From          string        `json:"from,omitempty"`
	Mapping       string        `json:"mapping,omitempty"`
	PrincipalType PrincipalType `json:"principal_type,omitempty"`
	PrincipalID   string        `json:"principal_id,omitempty"`
	ClaimRule     string        `json:"claim_rule,omitempty"`
	GroupSource   string        `json:"group_source,omitempty"`
	Text          string        `json:"text"`
}

// MarshalJSON renders the grant with ids (not whole objects) and its text.
func (g Grant) MarshalJSON() ([]byte, error) {
	j := grantJSON{Kind: g.Kind, Role: g.Role, From: g.From, GroupSource: g.GroupSource, Text: g.String()}
	if g.Mapping != nil {
		j.Mapping, j.PrincipalType, j.PrincipalID = g.Mapping.ID, g.Mapping.PrincipalType, g.Mapping.PrincipalID
	}
	if g.Rule != nil {
		j.ClaimRule = g.Rule.ID
	}
	return json.Marshal(j)
}

// MarshalJSON renders {"role", "via" (the text of the step that gave
// it), "grant"}; the grant's "from" names the role it came from, whose own
// entry continues the chain.
func (r ResolvedRole) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Role  string `json:"role"`
		Via   string `json:"via"`
		Grant Grant  `json:"grant"`
	}{r.Role, r.String(), r.Grant})
}
