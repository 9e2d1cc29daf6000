package server

import (
	"errors"
	"net/http"
	"testing"
)

// API.md §3: "Duplicate keys in a JSON document are an error, not 'last
// wins'".
func TestDuplicateKey(t *testing.T) {
	tests := []struct {
		in  string
		key string
		dup bool
	}{
		{`{"a":1,"b":2}`, "", false},
		{`{"a":1,"a":2}`, "a", true},
		{`{"a":{"x":1},"b":{"x":2}}`, "", false},
		{`{"a":{"x":1,"x":2}}`, "x", true},
		{`[{"a":1},{"a":1}]`, "", false},
		{`{"a":"\"a\"","b":1}`, "", false},
		{`{"a":1,"\u0061":2}`, "a", true},
		{`{"s":"{\"a\":1,\"a\":2}"}`, "", false},
		{`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":0,"k11":1,"k12":2,"k13":3,"k14":4,"k15":5,"k16":6,"k17":7,"k3":3}`, "k3", true},
		{`{"a":[1,{"b":1}],"c":{"b":2}}`, "", false},
		{`{"a":{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17},"b":{"k0":1,"k1":{"k0":1}}}`, "", false},
		{`{"a":{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"n":{"k0":1}},"b":{"k0":1,"k0":2}}`, "k0", true},
		{`{"a":{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"n":{"k0":1},"k17":1}}`, "k17", true},
	}
	for _, tt := range tests {
		key, dup := duplicateKey([]byte(tt.in))
		if dup != tt.dup || key != tt.key {
			t.Errorf("duplicateKey(%s) = %q, %v; want %q, %v", tt.in, key, dup, tt.key, tt.dup)
		}
	}
}

func TestDecodeBytesErrors(t *testing.T) {
	type body struct {
		Name  string   `json:"name"`
		Items []string `json:"items"`
	}
	tests := []struct {
		in   string
		code string
	}{
		{`{"name":"x"}`, ""},
		{`{"name":"x","extra":1}`, codeUnknownField},
		{`{"name":`, codeMalformedJSON},
		{`{"name":"x"} {}`, codeMalformedJSON},
		{`{"name":1}`, codeBadRequest},
		{`[]`, codeBadRequest},
		{`{"name":"x","name":"y"}`, codeDuplicateKey},
		{`{"items":"x"}`, codeBadRequest},
	}
	for _, tt := range tests {
		var b body
		err := decodeBytes([]byte(tt.in), &b)
		if tt.code == "" {
			if err != nil {
				t.Errorf("decodeBytes(%s): %v", tt.in, err)
			}
			continue
		}
		var he *httpError
		if !errors.As(err, &he) || he.code != tt.code || he.status != http.StatusBadRequest {
			t.Errorf("decodeBytes(%s) = %v, want a 400 %s", tt.in, err, tt.code)
		}
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		in, id, secret string
		ok             bool
	}{
		{"ghk_0123456789abcdef_c2VjcmV0", "0123456789abcdef", "c2VjcmV0", true},
		{"ghk_0123456789abcdef_a_b-c", "0123456789abcdef", "a_b-c", true},
		{"ghk_0123456789ABCDEF_x", "", "", false},
		{"ghk_0123_x", "", "", false},
		{"ghk_0123456789abcdef_", "", "", false},
		{"other", "", "", false},
	}
	for _, tt := range tests {
		id, secret, ok := parseKey(tt.in)
		if ok != tt.ok || (ok && (id != tt.id || secret != tt.secret)) {
			t.Errorf("parseKey(%q) = %q, %q, %v", tt.in, id, secret, ok)
		}
	}
}

func TestDuplicateKeyAllocs(t *testing.T) {
	body := []byte(`{"principal": {"type": "user", "id": "1", "attributes": {"dept": "7", "level": 3}}, "action": "orders:Read", "resource": {"name": "orders:acme/17", "attributes": {"owner": "1"}}, "fields": ["a", "b"], "context": {"x": [1, 2]}}`)
	if n := testing.AllocsPerRun(100, func() { duplicateKey(body) }); n != 0 {
		t.Errorf("duplicateKey allocates %v times per check body", n)
	}
}
