package mint

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// privateParts returns the base64url private scalars of every key in the
// set's storage form: what must never appear in a log or a response.
func privateParts(t *testing.T, s *KeySet) []string {
	t.Helper()
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var st stored
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	var ds []string
	for _, k := range st.Keys {
		var jwk struct {
			D string `json:"d"`
		}
		if err := json.Unmarshal(k.JWK, &jwk); err != nil || len(jwk.D) < 40 {
			t.Fatalf("stored key has no private part: %v", err)
		}
		ds = append(ds, jwk.D)
	}
	return ds
}

func TestKeySetRedacted(t *testing.T) {
	s := newSet(t, EdDSA)
	if _, err := s.Rotate(ES256, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	secrets := privateParts(t, s)
	// The same secrets in other encodings a careless printer might use.
	for _, d := range append([]string(nil), secrets...) {
		raw, _ := base64.RawURLEncoding.DecodeString(d)
		secrets = append(secrets, fmt.Sprintf("%x", raw[:8]), fmt.Sprint(raw[:8])[1:20])
	}

	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("keys", "keyset", s)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("keys", "keyset", s)
	jsonOut, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := json.Marshal(struct{ K *KeySet }{s})
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", s), "%+v": fmt.Sprintf("%+v", s), "%#v": fmt.Sprintf("%#v", s),
		"%s": fmt.Sprintf("%s", s), "%x": fmt.Sprintf("%x", s), "String": s.String(),
		"struct %+v": fmt.Sprintf("%+v", struct{ K *KeySet }{s}), "slog": logged.String(),
		"json.Marshal": string(jsonOut), "json in a struct": string(wrapped),
	}
	active := s.Active().ID
	for name, out := range outputs {
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("%s leaks private key material: %s", name, out)
			}
		}
		if !strings.Contains(out, active) {
			t.Errorf("%s does not name the active key: %s", name, out)
		}
	}
	var nilSet *KeySet
	if got := fmt.Sprint(nilSet); got != "mint.KeySet(nil)" {
		t.Errorf("nil KeySet prints %q", got)
	}
}

func TestStorageRoundTrip(t *testing.T) {
	s := newSet(t, EdDSA)
	old, err := s.Mint(userClaims(), t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rotate(ES256, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalKeySet(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(back.Keys()), fmt.Sprint(s.Keys()); got != want {
		t.Errorf("keys after a round trip:\n got %s\nwant %s", got, want)
	}
	again, err := back.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Errorf("Marshal is not stable across a round trip")
	}
	// The restored set verifies the old token and signs with the active key.
	if _, _, err := verify(t, back.PublicJWKS(), old.Value, t0); err != nil {
		t.Errorf("old token after a round trip: %v", err)
	}
	tok, err := back.Mint(userClaims(), t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if tok.KeyID != s.Active().ID {
		t.Errorf("restored set signs with %s, want %s", tok.KeyID, s.Active().ID)
	}
	if _, _, err := verify(t, s.PublicJWKS(), tok.Value, t0); err != nil {
		t.Errorf("token from the restored set: %v", err)
	}
}

func TestUnmarshalKeySetRefuses(t *testing.T) {
	s := newSet(t, EdDSA)
	if _, err := s.Rotate(EdDSA, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	good, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	secrets := privateParts(t, s)
	es := newSet(t, ES256)

	// edit decodes the good storage form, changes it and encodes it again.
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	key := func(m map[string]any, i int) map[string]any { return m["keys"].([]any)[i].(map[string]any) }
	jwk := func(m map[string]any, i int) map[string]any { return key(m, i)["jwk"].(map[string]any) }
	esJWK := func() map[string]any {
		data, _ := es.Marshal()
		var m map[string]any
		json.Unmarshal(data, &m)
		return jwk(m, 0)
	}

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "unexpected end"},
		{"not JSON", []byte("{nope"), "syntax error"},
		{"trailing data", append(append([]byte(nil), good...), "{}"...), "data after"},
		{"too large", bytes.Repeat([]byte(" "), MaxStoredBytes+1), "more than"},
		{"unknown field", edit(func(m map[string]any) { m["extra"] = 1 }), "unknown field"},
		{"wrong version", edit(func(m map[string]any) { m["version"] = 2 }), "version 2"},
		{"no keys", edit(func(m map[string]any) { m["keys"] = []any{} }), "0 keys"},
		{"two active keys", edit(func(m map[string]any) { delete(key(m, 0), "retired_at") }), "2 active keys"},
		{"no active key", edit(func(m map[string]any) { key(m, 1)["retired_at"] = t0.Add(time.Hour) }), "0 active keys"},
		{"duplicate kid", edit(func(m map[string]any) { m["keys"] = []any{key(m, 0), key(m, 0), key(m, 1)} }), "appears twice"},
		{"no created_at", edit(func(m map[string]any) { delete(key(m, 1), "created_at") }), "no created_at"},
		{"retired before created", edit(func(m map[string]any) { key(m, 0)["retired_at"] = t0.Add(-time.Hour) }), "before created_at"},
		{"retired key newer than active", edit(func(m map[string]any) {
			key(m, 0)["created_at"] = t0.Add(time.Hour)
			key(m, 0)["retired_at"] = t0.Add(2 * time.Hour)
		}), "created after the active key"},
		{"public key only", edit(func(m map[string]any) { delete(jwk(m, 0), "d") }), "not a valid private key"},
		{"no jwk", edit(func(m map[string]any) { delete(key(m, 0), "jwk") }), "no jwk"},
		{"kid not the thumbprint", edit(func(m map[string]any) { jwk(m, 0)["kid"] = "chosen" }), "not the key's thumbprint"},
		{"alg does not fit the key", edit(func(m map[string]any) { jwk(m, 0)["alg"] = "ES256" }), "an Ed25519 key with alg"},
		{"EC key labelled EdDSA", edit(func(m map[string]any) { j := esJWK(); j["alg"] = "EdDSA"; key(m, 1)["jwk"] = j }), "a P-256 key with alg"},
		{"HMAC key", edit(func(m map[string]any) {
			key(m, 1)["jwk"] = map[string]any{"kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", "alg": "HS256"}
		}), "not a valid private key"},
		{"encryption key", edit(func(m map[string]any) { jwk(m, 0)["use"] = "enc" }), `use "enc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UnmarshalKeySet(tt.data, nil)
			if err == nil {
				t.Fatalf("accepted: %v", got)
			}
			if !errors.Is(err, ErrStored) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrStored containing %q", err, tt.want)
			}
			for _, secret := range secrets {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error quotes private key material: %v", err)
				}
			}
		})
	}
	if _, err := UnmarshalKeySet(good, nil); err != nil {
		t.Errorf("the unedited form: %v", err)
	}
}
