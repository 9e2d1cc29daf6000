package directory

// This file renders provenance for people: "admin via role mapping 7: USER
// 1 → admin".

// String renders one step: "admin via role mapping 7: USER 1 → admin",
// "staff via role editor includes staff", "member via claim rule r1: groups
// contains admins", "$owner: resource attribute owner = 1".
func (g Grant) String() string {
	return ""
}

// String renders the role's whole path, its own step first, the steps it
// came from after "; ".
func (r ResolvedRole) String() string {
	return ""
}
