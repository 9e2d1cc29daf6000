package directory

import (
	"errors"
	"testing"
)

// FuzzDecode checks that no body makes Decode panic, that every failure is
// an *Error of a known class, and that a decoded object round-trips
// through Validate.
func FuzzDecode(f *testing.F) {
	seeds := map[string]string{
		KindPolicy:         trapPolicy,
		KindRole:           `{"policies": ["p1"], "includes": ["a"], "trust_policy": {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "x:y"}}, "max_session_seconds": 3600}`,
		KindRoleMapping:    `{"principalType": "USER", "principal_id": "1", "role": "admin"}`,
		KindUser:           `{"attributes": {"a": [1, "x", true], "b": "\u00e9"}, "groups": ["g"], "policies": ["p"]}`,
		KindGroup:          `{"description": "x", "policies": []}`,
		KindApp:            `{"attributes": {}, "policies": null}`,
		KindClaimRule:      `{"claim": "groups", "op": "contains", "value": "admins", "role": "admin", "issuer": "x"}`,
		KindResourcePolicy: `{"resource": "orders:*", "document": {"Statement": {"Effect": "Deny", "Principal": "*", "Action": "orders:*"}}}`,
		KindBoundary:       `{"principal_type": "APP", "principal_id": "a", "document": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}`,
	}
	kinds := Kinds()
	for i, k := range kinds {
		f.Add(uint8(i), seeds[k])
	}
	f.Fuzz(func(t *testing.T, k uint8, body string) {
		kind := kinds[int(k)%len(kinds)]
		id := "x1"
		if kind == KindRole {
			id = "admin"
		}
		o, fs, err := Decode(kind, id, []byte(body))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !(errors.Is(err, ErrMalformed) || errors.Is(err, ErrInvalid)) {
				t.Fatalf("error %v is not a classed *Error", err)
			}
			return
		}
		if o == nil || fs.HasErrors() {
			t.Fatalf("success with object %v and findings %v", o, fs)
		}
		// Validate decodes the same way (then may refuse references).
		if _, err := (*Directory)(nil).Validate(put(kind+"/"+id, body)); err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeMissingReference && e.Code != CodeRoleCycle {
				t.Fatalf("Decode accepted what Validate refuses: %v", err)
			}
		}
	})
}
