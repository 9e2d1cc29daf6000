package directory

import (
	"fmt"
	"slices"
	"strings"

	"gatehouse.dev/gatehouse/engine"
)

// CodeRoleWouldAllow is the explain warning of an implicit deny that a
// role (or group) the subject does not hold would have allowed: the
// LoopBack thread's question, "why is this user denied, and what would
// let them in?".
const CodeRoleWouldAllow = "directory.role_would_allow"

// maxNearMisses bounds the roles and groups an explain tries, and the ways
// to get one it lists.
const (
	maxNearMisses = 64
	maxWays       = 4
)

// nearMisses returns, for an implicit deny, a warning for each role or
// group with attached policies that the subject lacks and whose holding
// would allow req — with the statement that would allow it and how the
// role is given (its role mappings and claim rules).
func (d *Directory) nearMisses(req *engine.Request) []Warning {
	var out []Warning
	tried := 0
	seen := map[engine.Attachment]bool{}
	for _, p := range d.compiled {
		a := p.Attach
		if (a.Kind != engine.AttachRole && a.Kind != engine.AttachGroup) || seen[a] {
			continue
		}
		seen[a] = true
		if a.Kind == engine.AttachRole && slices.Contains(req.Principal.Roles, a.ID) ||
			a.Kind == engine.AttachGroup && slices.Contains(req.Principal.Groups, a.ID) {
			continue
		}
		if tried++; tried > maxNearMisses {
			break
		}
		alt := *req
		if a.Kind == engine.AttachRole {
			alt.Principal.Roles = append(slices.Clone(req.Principal.Roles), a.ID)
		} else {
			alt.Principal.Groups = append(slices.Clone(req.Principal.Groups), a.ID)
		}
		dec := d.eng.Decide(&alt)
		if dec.Reason != engine.Allowed || dec.By == nil || dec.By.Attached != a.String() {
			continue
		}
		out = append(out, d.nearMiss(req, a, dec.By))
	}
	return out
}

// nearMiss words one near miss.
func (d *Directory) nearMiss(req *engine.Request, a engine.Attachment, by *engine.StatementRef) Warning {
	who := strings.TrimSpace(req.Principal.Type + " " + req.Principal.ID)
	if who == "" {
		who = "the anonymous subject"
	}
	stmt := fmt.Sprintf("policy %s statement %d", quote(by.Policy), by.Index)
	if by.Sid != "" {
		stmt += fmt.Sprintf(" (%q)", by.Sid)
	}
	if a.Kind == engine.AttachGroup {
		return Warning{Code: CodeRoleWouldAllow, Refs: []string{ref(KindGroup, a.ID), ref(KindPolicy, by.Policy)},
			Message: fmt.Sprintf("denied by default, but the group %s would allow it (%s): %s is not in %s; add the user to the group to allow it",
				quote(a.ID), stmt, who, quote(a.ID))}
	}
	refs := []string{ref(KindRole, a.ID), ref(KindPolicy, by.Policy)}
	var ways []string
	for _, ms := range []map[string][]*RoleMapping{d.userMappings, d.groupMappings, d.appMappings} {
		for _, id := range sortedKeys(ms) {
			for _, m := range ms[id] {
				if m.Role == a.ID && len(ways) < maxWays {
					ways = append(ways, fmt.Sprintf("role mapping %s (%s %s → %s)", m.ID, m.PrincipalType, m.PrincipalID, m.Role))
					refs = append(refs, ref(KindRoleMapping, m.ID))
				}
			}
		}
	}
	for _, from := range sortedKeys(d.roleEdges) {
		for _, e := range d.roleEdges[from] {
			if e.to == a.ID && len(ways) < maxWays {
				if e.mapping != nil {
					ways = append(ways, fmt.Sprintf("role mapping %s (ROLE %s → %s)", e.mapping.ID, from, a.ID))
				} else {
					ways = append(ways, fmt.Sprintf("role %s, which includes it", quote(from)))
				}
			}
		}
	}
	for _, claim := range d.claimNames {
		for _, c := range d.claimRules[claim] {
			if c.Role == a.ID && len(ways) < maxWays {
				ways = append(ways, fmt.Sprintf("claim rule %s (claim %s %s %s)", c.ID, c.Claim, c.Op, quote(c.Value)))
				refs = append(refs, ref(KindClaimRule, c.ID))
			}
		}
	}
	given := "nothing gives it yet"
	if len(ways) > 0 {
		given = "it is given by " + strings.Join(ways, ", ")
	}
	slices.Sort(refs)
	return Warning{Code: CodeRoleWouldAllow, Refs: slices.Compact(refs),
		Message: fmt.Sprintf("denied by default, but the role %s would allow it (%s): %s does not hold %s; %s. Map %s to %s to allow it",
			quote(a.ID), stmt, who, quote(a.ID), given, who, quote(a.ID))}
}
