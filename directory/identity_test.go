package directory

import (
	"errors"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/engine"
)

// An assumed-role session holds its role and nothing its creator holds;
// its session policy limits it (IAM User Guide, "Session policies"); its
// tags are principal attributes; explain says where the role came from.
func TestSessionSubject(t *testing.T) {
	d := build(t,
		obj{"policy/orders", `{"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "orders:*", "Resource": "orders:*"}]}}`},
		obj{"role/tenant-admin", `{"policies": ["orders"]}`},
		obj{"role/other", `{"policies": []}`},
		obj{"role_mapping/1", `{"principal_type": "APP", "principal_id": "k1", "role": "other"}`},
		obj{"session/s1", `{"role": "tenant-admin", "source": "key:k1", "created_at": "2026-11-28T10:00:00Z", "expires_at": "2026-11-28T11:00:00Z",
			"attributes": {"companyId": "acme"},
			"session_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "orders:*", "Resource": "orders:${principal:companyId}/*"}]}}`},
	)
	sess := Subject{Type: "session", ID: "s1"}
	for _, tt := range []struct {
		resource string
		want     engine.Reason
	}{{"orders:acme/1", engine.Allowed}, {"orders:globex/1", engine.ImplicitDeny}} {
		res := d.Check(&CheckInput{Subject: sess, Action: "orders:Read", Resource: engine.Resource{Name: tt.resource}})
		if res.Decision.Reason != tt.want {
			t.Errorf("session on %s: %v, want %v", tt.resource, res.Decision.Reason, tt.want)
		}
		if !strings.Contains(strings.Join(res.Resolution.Roles, ","), "tenant-admin") || strings.Contains(strings.Join(res.Resolution.Roles, ","), "other") {
			t.Errorf("session roles: %v", res.Resolution.Roles)
		}
		if why := res.Resolution.Why("tenant-admin"); !strings.Contains(why, "assumed in session s1") {
			t.Errorf("why: %q", why)
		}
	}
	// Another session id, unknown: no role, nothing allowed.
	if res := d.Check(&CheckInput{Subject: Subject{Type: "session", ID: "s2"}, Action: "orders:Read", Resource: engine.Resource{Name: "orders:acme/1"}}); res.Decision.Reason != engine.ImplicitDeny {
		t.Errorf("unknown session: %v", res.Decision.Reason)
	}
	if s := d.Session("s1"); s == nil || s.SessionAttributes()["companyId"][0] != "acme" {
		t.Errorf("Session(s1) = %+v", s)
	}
}

func TestIdentityKinds(t *testing.T) {
	d := build(t,
		obj{"issuer/idp", `{"issuer": "https://idp.example.com", "audiences": ["app"], "algorithms": ["RS256"], "principal_claim": "cognito:username"}`},
		obj{"issuer/local", `{"issuer": "http://127.0.0.1:9999", "audiences": ["a", "b"], "jwks": {"keys": []}}`},
		obj{"revocation/jti:j1", `{"expires_at": "2026-11-28T11:00:00Z"}`},
		obj{"credential/alice", `{"password_hash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"}`},
	)
	if is := d.Issuers(); len(is) != 2 || is[0].Name != "idp" || is[0].PrincipalClaim != "cognito:username" || string(is[1].JWKS) != `{"keys": []}` {
		t.Errorf("Issuers: %+v", is)
	}
	if !d.Revoked("j1") || d.Revoked("j2") || d.Revoked("") {
		t.Error("Revoked")
	}
	if d.Credential("alice") == "" || d.Credential("bob") != "" {
		t.Error("Credential")
	}
	if s := (&Credential{ID: "alice", Hash: "$argon2id$secret"}).String(); strings.Contains(s, "argon2") {
		t.Errorf("a credential shows its hash: %s", s)
	}
	bad := []struct{ body, want string }{
		{`{"issuer": "http://idp.example.com", "audiences": ["a"]}`, "https"},
		{`{"issuer": "https://idp.example.com", "audiences": []}`, "at least one audience"},
		{`{"issuer": "https://idp.example.com"}`, "audiences"},
		{`{"issuer": "https://idp.example.com", "audiences": ["a"], "algorithms": ["HS256"]}`, "never accepted"},
		{`{"issuer": "https://idp.example.com", "audiences": ["a"], "algorithms": ["none"]}`, "never accepted"},
		{`{"issuer": "https://idp.example.com", "audiences": ["a"], "jwks": "x"}`, "JSON object"},
		{`{"issuer": "https://u:p@idp.example.com", "audiences": ["a"]}`, "user info"},
		{`{"issuer": "idp", "audiences": ["a"]}`, "absolute"},
		{`{"issuer": "https://idp.example.com", "audiences": ["a"], "jwks_uri": "http://evil.example.com/k"}`, "jwks_uri"},
		{`{"issuer": "https://idp.example.com", "audiences": ["a"], "audiense_claim": "aud"}`, "did you mean"},
	}
	for _, b := range bad {
		_, _, err := Decode(KindIssuer, "x", []byte(b.body))
		var de *Error
		if !errors.As(err, &de) || !strings.Contains(err.Error(), b.want) {
			t.Errorf("Decode(issuer %s) = %v, want an error saying %q", b.body, err, b.want)
		}
	}
}
