package engine

import (
	"testing"

	"gatehouse.dev/gatehouse/policy"
)

// A session policy attached to one session limits only that session's
// requests (IAM User Guide, "Session policies": the session's permissions
// are the intersection of the role's identity policies and the session
// policy; a session policy alone grants nothing), and explain agrees.
func TestSessionAttachment(t *testing.T) {
	role := Policy{Name: "role", Kind: policy.KindIdentity, Attach: Attachment{AttachRole, "tenant-admin"},
		Doc: doc(allow([]string{"orders:*"}, []string{"orders:*"}))}
	acme := Policy{Name: "session-acme", Kind: policy.KindSession, Attach: Attachment{AttachSession, "s1"},
		Doc: doc(allow([]string{"orders:*"}, []string{"orders:acme/*"}))}
	onlyRead := Policy{Name: "session-read", Kind: policy.KindSession, Attach: Attachment{AttachSession, "s2"},
		Doc: doc(allow([]string{"orders:Read"}, []string{"*"}), deny([]string{"orders:Read"}, []string{"orders:secret/*"}))}
	e := mustCompile(t, role, acme, onlyRead)
	session := func(id string) Principal { return Principal{Type: "session", ID: id, Roles: []string{"tenant-admin"}} }
	tests := []struct {
		name      string
		principal Principal
		action    string
		resource  string
		want      Reason
	}{
		{"in the session's tenant", session("s1"), "orders:Write", "orders:acme/1", Allowed},
		{"outside the session's tenant", session("s1"), "orders:Write", "orders:globex/1", ImplicitDeny},
		{"another session's policy does not apply", session("s2"), "orders:Write", "orders:acme/1", ImplicitDeny},
		{"second session allows reads", session("s2"), "orders:Read", "orders:globex/1", Allowed},
		{"a deny in a session policy denies", session("s2"), "orders:Read", "orders:secret/1", ExplicitDeny},
		{"a session without a policy has the role's permissions", session("s3"), "orders:Write", "orders:globex/1", Allowed},
		{"a user with the role is not limited", Principal{Type: "user", ID: "s1", Roles: []string{"tenant-admin"}}, "orders:Write", "orders:globex/1", Allowed},
		{"the session policy alone grants nothing", Principal{Type: "session", ID: "s1"}, "orders:Write", "orders:acme/1", ImplicitDeny},
	}
	for _, tt := range tests {
		r := &Request{Principal: tt.principal, Action: tt.action, Resource: Resource{Name: tt.resource}}
		if got := e.Decide(r); got.Reason != tt.want {
			t.Errorf("%s: Decide = %v, want %v", tt.name, got.Reason, tt.want)
		}
		if got := e.Explain(r, nil).Decision; got.Reason != tt.want {
			t.Errorf("%s: Explain = %v, want %v", tt.name, got.Reason, tt.want)
		}
	}
	for _, bad := range []Policy{
		{Name: "x", Kind: policy.KindIdentity, Attach: Attachment{AttachSession, "s"}, Doc: doc(allow([]string{"a:b"}, []string{"*"}))},
		{Name: "y", Kind: policy.KindSession, Attach: Attachment{AttachUser, "u"}, Doc: doc(allow([]string{"a:b"}, []string{"*"}))},
	} {
		if _, err := Compile([]Policy{bad}); err == nil {
			t.Errorf("Compile(%s policy attached to %s) succeeded", bad.Kind, bad.Attach)
		}
	}
}
