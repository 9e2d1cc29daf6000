package engine

import "gatehouse.dev/gatehouse/policy"

// Policy is one document given to Compile, with its name and kind.
type Policy struct {
	// Name identifies the policy in decisions and traces (a file name or a
	// stored policy id).
	Name string
	Kind policy.Kind
	Doc  *policy.Document

	// Attach limits an identity policy or a permissions boundary to the
	// principals it is attached to. The zero value applies to every
	// request (as the offline CLI does).
	Attach Attachment
	// Resource, for a resource policy, is the resource pattern the policy
	// is attached to: its statements apply only to resources matching it,
	// and a statement without Resource applies to exactly those. Empty
	// means no limit.
	Resource string
}

// AttachKind is what an identity policy or boundary is attached to.
type AttachKind uint8

// Attachment kinds.
const (
	// AttachAll applies to every request.
	AttachAll AttachKind = iota
	// AttachRole applies to a principal holding the role (after role
	// resolution: the request's Principal.Roles).
	AttachRole
	// AttachUser applies to the user principal with that id.
	AttachUser
	// AttachGroup applies to a principal in the group.
	AttachGroup
	// AttachApp applies to the app principal with that id.
	AttachApp
	// AttachSession applies to the session principal with that id: a
	// session policy of one assumed-role session.
	AttachSession
	numAttachKinds
)

// Attachment names whom a policy is attached to.
type Attachment struct {
	Kind AttachKind
	ID   string
}

// String returns "role:<id>", "user:<id>", "group:<id>", "app:<id>",
// "session:<id>", or "" for AttachAll.
func (a Attachment) String() string {
	switch a.Kind {
	case AttachAll:
		return ""
	case AttachRole:
		return "role:" + a.ID
	case AttachUser:
		return "user:" + a.ID
	case AttachGroup:
		return "group:" + a.ID
	case AttachApp:
		return "app:" + a.ID
	case AttachSession:
		return "session:" + a.ID
	}
	return "invalid:" + a.ID
}

// appliesTo reports whether a policy attached by a applies to r.
func (a *Attachment) appliesTo(r *Request) bool {
	switch a.Kind {
	case AttachAll:
		return true
	case AttachRole:
		return contains(r.Principal.Roles, a.ID)
	case AttachUser:
		return r.Principal.Type == "user" && r.Principal.ID == a.ID
	case AttachGroup:
		return contains(r.Principal.Groups, a.ID)
	case AttachApp:
		return r.Principal.Type == "app" && r.Principal.ID == a.ID
	case AttachSession:
		return r.Principal.Type == "session" && r.Principal.ID == a.ID
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
