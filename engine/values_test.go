package engine

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeJSON decodes s as encoding/json does for a request body, keeping
// numbers as written.
func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func TestValuesOf(t *testing.T) {
	tests := []struct {
		name string
		json string
		want Values
		err  string
	}{
		{"string as is", `"acme"`, Values{"acme"}, ""},
		{"empty string is a value", `""`, Values{""}, ""},
		// API.md §3: a number compared by a String operator compares as its
		// JSON text, so the text must be kept exactly as written.
		{"integer keeps its text", `10`, Values{"10"}, ""},
		{"exponent keeps its text", `1e3`, Values{"1e3"}, ""},
		{"decimal keeps its text", `10.50`, Values{"10.50"}, ""},
		{"negative", `-7`, Values{"-7"}, ""},
		// IAM's Bool operator compares "true"/"false".
		{"true", `true`, Values{"true"}, ""},
		{"false", `false`, Values{"false"}, ""},
		// A multi-valued key (IAM: aws:TagKeys, dynamodb:LeadingKeys).
		{"list of strings", `["a","b"]`, Values{"a", "b"}, ""},
		{"mixed list", `["a",1,true]`, Values{"a", "1", "true"}, ""},
		// ForAllValues is true for an empty key; the key must stay present.
		{"empty list", `[]`, Values{}, ""},
		{"null", `null`, nil, "null is not a condition value"},
		{"object", `{"a":1}`, nil, "an object is not a condition value"},
		{"nested list", `[["a"]]`, nil, "element 0: a nested list"},
		{"null in list", `["a",null]`, nil, "element 1: null"},
		{"object in list", `[{}]`, nil, "element 0: an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ValuesOf(decodeJSON(t, tt.json))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ValuesOf(%s) error = %v, want containing %q", tt.json, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ValuesOf(%s): %v", tt.json, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ValuesOf(%s) = %#v, want %#v", tt.json, got, tt.want)
			}
		})
	}
}

func TestValuesOfGoTypes(t *testing.T) {
	tests := []struct {
		in   any
		want Values
	}{
		// Without UseNumber encoding/json gives float64; format it as JSON
		// would have written it.
		{float64(10), Values{"10"}},
		{float64(1e21), Values{"1e+21"}},
		{0.5, Values{"0.5"}},
		{7, Values{"7"}},
		{int64(-3), Values{"-3"}},
		{[]string{"x", "y"}, Values{"x", "y"}},
	}
	for _, tt := range tests {
		got, err := ValuesOf(tt.in)
		if err != nil {
			t.Errorf("ValuesOf(%#v): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ValuesOf(%#v) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []any{struct{}{}, make(chan int), 1.0 / zero()} {
		if _, err := ValuesOf(bad); err == nil {
			t.Errorf("ValuesOf(%T) succeeded, want an error", bad)
		}
	}
}

func zero() float64 { return 0 }

func TestFlattenClaims(t *testing.T) {
	tests := []struct {
		name   string
		claims string
		want   map[string]Values
		err    string
	}{
		{
			// API.md §3: claim names are case-sensitive and used as they
			// are, including ':' and '/'.
			name:   "top-level claims as is",
			claims: `{"sub":"4fbf0c06","custom:companyId":"acme","https://app.example/org":"o1","Sub":"other"}`,
			want: map[string]Values{
				"sub": {"4fbf0c06"}, "custom:companyId": {"acme"},
				"https://app.example/org": {"o1"}, "Sub": {"other"},
			},
		},
		{
			name:   "numbers and bools keep their JSON text",
			claims: `{"exp":1700000000,"ratio":2.50,"email_verified":true}`,
			want:   map[string]Values{"exp": {"1700000000"}, "ratio": {"2.50"}, "email_verified": {"true"}},
		},
		{
			name:   "list of scalars is multi-valued",
			claims: `{"cognito:groups":["admins","staff"],"aud":[]}`,
			want:   map[string]Values{"cognito:groups": {"admins", "staff"}, "aud": {}},
		},
		{
			name:   "nested objects reached with dots",
			claims: `{"address":{"country":"NZ","geo":{"lat":1.5}},"realm_access":{"roles":["a","b"]}}`,
			want: map[string]Values{
				"address.country": {"NZ"}, "address.geo.lat": {"1.5"},
				"realm_access.roles": {"a", "b"},
			},
		},
		{
			// API.md §3: nested only when no top-level claim has that name.
			name:   "top-level claim wins over nested path",
			claims: `{"org.id":"top","org":{"id":"nested","name":"n"}}`,
			want:   map[string]Values{"org.id": {"top"}, "org.name": {"n"}},
		},
		{
			name:   "null claim is absent",
			claims: `{"middle_name":null,"a":{"b":null},"sub":"s"}`,
			want:   map[string]Values{"sub": {"s"}},
		},
		{
			name:   "list of objects is left out and reported",
			claims: `{"sub":"s","perms":[{"rsname":"x"}]}`,
			want:   map[string]Values{"sub": {"s"}},
			err:    `claim "perms": element 0: an object`,
		},
		{
			name:   "two nested paths to one name are left out",
			claims: `{"a.b":{"c":1},"a":{"b.c":2,"d":3}}`,
			want:   map[string]Values{"a.d": {"3"}},
			err:    `claim "a.b.c": reached by two nested paths`,
		},
		{
			name:   "empty",
			claims: `{}`,
			want:   map[string]Values{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := decodeJSON(t, tt.claims).(map[string]any)
			got, err := FlattenClaims(claims)
			if tt.err == "" && err != nil {
				t.Fatalf("FlattenClaims: %v", err)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("FlattenClaims error = %v, want containing %q", err, tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FlattenClaims = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestFlattenClaimsDepthLimit(t *testing.T) {
	claims := map[string]any{"leaf": "x"}
	for range MaxClaimDepth + 5 {
		claims = map[string]any{"n": claims}
	}
	got, err := FlattenClaims(claims)
	if err == nil || !strings.Contains(err.Error(), "nested deeper than") {
		t.Fatalf("error = %v, want a depth error", err)
	}
	if len(got) != 0 {
		t.Errorf("got %v, want nothing", got)
	}
}
