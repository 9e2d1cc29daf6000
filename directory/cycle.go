package directory

import (
	"fmt"
	"strings"
)

// cycle is a cycle of the role graph: edges[i].to == edges[i+1].from, and
// the last edge returns to the first's from.
type cycle []edge

// path renders the cycle as "editor → staff → editor".
func (c cycle) path() string {
	var b strings.Builder
	for i, e := range c {
		if i == 0 {
			b.WriteString(e.from)
		}
		b.WriteString(" → ")
		b.WriteString(e.to)
	}
	return b.String()
}

// how says what makes each edge: "editor includes staff; role mapping 4:
// ROLE staff → editor".
func (c cycle) how() string {
	parts := make([]string, len(c))
	for i, e := range c {
		parts[i] = e.String()
	}
	return strings.Join(parts, "; ")
}

// refs names the objects that make the cycle.
func (c cycle) refs() []string {
	var out []string
	for _, e := range c {
		if e.mapping != nil {
			out = append(out, ref(KindRoleMapping, e.mapping.ID))
		} else {
			out = append(out, ref(KindRole, e.from))
		}
	}
	return out
}

// String says what makes the edge.
func (e edge) String() string {
	if e.mapping != nil {
		if e.proposed {
			return fmt.Sprintf("the new role mapping ROLE %s → %s", e.from, e.to)
		}
		return fmt.Sprintf("role mapping %s: ROLE %s → %s", e.mapping.ID, e.from, e.to)
	}
	return fmt.Sprintf("role %s includes %s", e.from, e.to)
}

// findCycle looks for a cycle reachable from the roles in starts, in
// order, following edges. It returns the first found, or nil. It is
// iterative, so a long chain of roles costs no stack.
func findCycle(edges func(string) []edge, starts []string) cycle {
	const (
		white = iota
		grey
		black
	)
	color := map[string]uint8{}
	type frame struct {
		role string
		next int // index of the next edge to follow
		via  edge
	}
	for _, s := range starts {
		if color[s] != white {
			continue
		}
		stack := []frame{{role: s}}
		color[s] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			es := edges(top.role)
			if top.next >= len(es) {
				color[top.role] = black
				stack = stack[:len(stack)-1]
				continue
			}
			e := es[top.next]
			top.next++
			switch color[e.to] {
			case white:
				color[e.to] = grey
				stack = append(stack, frame{role: e.to, via: e})
			case grey:
				// e closes a cycle: from e.to's frame up to the top.
				var c cycle
				for i := range stack {
					if stack[i].role == e.to {
						for _, f := range stack[i+1:] {
							c = append(c, f.via)
						}
						break
					}
				}
				return append(c, e)
			}
		}
	}
	return nil
}
