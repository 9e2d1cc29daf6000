package server

import (
	"reflect"
	"testing"
)

var fastCheckSeeds = []string{
	`{"principal": {"type": "user", "id": "1", "attributes": {"dept": "7", "n": 10, "ok": true, "l": ["a", 1, false], "e": []}, "roles": ["a"]}, "action": "orders:Read", "resource": {"name": "orders:acme/17", "type": "order", "attributes": {"owner": "1"}}, "context": {"app:x": ["é"]}, "request": {"ip": "10.0.0.1"}, "fields": ["email"], "at_least_revision": 3}`,
	`{"token": "a.b.c", "action": "a:B", "resource": {"name": "r"}}`,
	` {"principal":{},"resource":{},"context":{},"request":{},"fields":[]} `,
	`{"action": "x", "action": "y"}`,
	`{"Action": "x"}`,
	`{"action": "a\"b"}`,
	`{"action": "\u00e9"}`,
	`{"action": null}`,
	`{"at_least_revision": 1.5}`,
	`{"at_least_revision": 1e3}`,
	`{"at_least_revision": -0}`,
	`{"at_least_revision": 99999999999999999999}`,
	`{"context": {"k": 01}}`,
	`{"context": {"k": -1.5e+10}}`,
	`{"context": {"k": {"nested": 1}}}`,
	`{"context": {"k": [[1]]}}`,
	`{"context": {"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1}}`,
	`{"action": "a"} x`,
	`{"action": "a",}`,
	`{"fields": ["a",]}`,
	"{\"action\": \"\xff\"}",
	"{\"action\": \"a\x01\"}",
	`[]`,
	`{"unknown": 1}`,
	`{"principal": {"type": "user", "extra": 1}}`,
}

// FuzzFastCheck: whenever the small decoder accepts a body, encoding/json
// (decodeBytes) accepts it too and decodes the same request.
func FuzzFastCheck(f *testing.F) {
	for _, s := range fastCheckSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast checkRequest
		p := fastParser{b: body}
		if !(p.check(&fast) && p.end()) {
			return
		}
		var slow checkRequest
		if err := decodeBytes(body, &slow); err != nil {
			t.Fatalf("the small decoder accepts %q; decodeBytes refuses it: %v", body, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q decodes differently:\n small %#v\n json  %#v", body, fast, slow)
		}
	})
}

// The small decoder takes the usual bodies, and leaves every other to
// decodeBytes, whose answer decodeCheck then gives.
func TestDecodeCheck(t *testing.T) {
	for i, s := range fastCheckSeeds {
		var fast checkRequest
		p := fastParser{b: []byte(s)}
		took := p.check(&fast) && p.end()
		if i < 3 && !took {
			t.Errorf("the small decoder refused a usual body: %s", s)
		}
		var got, want checkRequest
		gotErr, wantErr := decodeCheck([]byte(s), &got), decodeBytes([]byte(s), &want)
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) || !reflect.DeepEqual(got, want) {
			t.Errorf("decodeCheck(%s) = %#v, %v; decodeBytes gives %#v, %v", s, got, gotErr, want, wantErr)
		}
	}
}

// FuzzFastBatch: whenever the one-pass batch decoder accepts a body,
// decodeBytes accepts it too, and every item decodes alone to the same
// check.
func FuzzFastBatch(f *testing.F) {
	for _, s := range fastCheckSeeds {
		f.Add([]byte(`{"checks": [` + s + `, ` + s + `], "at_least_revision": 2}`))
	}
	f.Add([]byte(`{"checks": []}`))
	f.Add([]byte(`{"checks": [{}], "checks": []}`))
	f.Add([]byte(`{"at_least_revision": 1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		items, atLeast, ok := decodeBatchFast(body)
		if !ok {
			return
		}
		var req batchRequest
		if err := decodeBytes(body, &req); err != nil {
			t.Fatalf("the batch decoder accepts %q; decodeBytes refuses it: %v", body, err)
		}
		if req.AtLeastRevision != atLeast || len(req.Checks) != len(items) || req.Checks == nil {
			t.Fatalf("%q: at_least_revision %d, %d checks; decodeBytes: %d, %d", body, atLeast, len(items), req.AtLeastRevision, len(req.Checks))
		}
		for i, raw := range req.Checks {
			var slow checkRequest
			if err := decodeBytes(raw, &slow); err != nil || !reflect.DeepEqual(slow, items[i]) {
				t.Fatalf("%q item %d: %#v; alone: %#v, %v", body, i, items[i], slow, err)
			}
		}
	})
}
