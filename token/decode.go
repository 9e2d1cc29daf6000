package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gatehouse.dev/gatehouse/internal/textdist"
	"gatehouse.dev/gatehouse/policy"
)

// maxIssuerBytes bounds the JSON body of an issuer.
const maxIssuerBytes = 128 << 10

// Finding codes of DecodeIssuer, besides those of Validate.
const (
	codeIssuerSyntax  = "issuer.syntax"
	codeIssuerUnknown = "issuer.unknown_field"
	codeIssuerType    = "issuer.wrong_type"
)

// issuerFields are the JSON members of an Issuer body.
var issuerFields = []string{"name", "issuer", "audiences", "audience_claim", "jwks_uri", "jwks", "algorithms", "principal_claim", "attribute_claims"}

// DecodeIssuer reads the JSON body of the issuer called name (from the URL
// path) strictly — unknown fields, duplicate keys and wrong types are
// errors, null stands for an absent field, a "name" in the body must equal
// name — and validates it with [Issuer.Validate]. The issuer is returned as
// given, without defaults. Findings hold every problem, errors and
// warnings, sorted; err is non-nil exactly when some are errors, and
// then the issuer must not be stored.
func DecodeIssuer(name string, body []byte) (Issuer, policy.Findings, error) {
	var fs policy.Findings
	bad := func(code, ptr, format string, args ...any) (Issuer, policy.Findings, error) {
		fs = append(fs, policy.Finding{Severity: policy.SeverityError, Code: code, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
		return Issuer{}, fs, findingsErr(fs)
	}
	switch {
	case len(body) > maxIssuerBytes:
		return bad(codeIssuerSyntax, "", "the body is %d bytes; at most %d are allowed (publish large key sets at a jwks_uri)", len(body), maxIssuerBytes)
	case !utf8.Valid(body):
		return bad(codeIssuerSyntax, "", "the body is not valid UTF-8: send UTF-8 JSON")
	}
	v, err := decodeStrict(body)
	if err != nil {
		return bad(codeIssuerSyntax, "", "the body is not valid JSON: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return bad(codeIssuerType, "", "the body must be a JSON object with the issuer's fields (issuer, audiences, …)")
	}
	var keys []string
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if slices.Contains(issuerFields, k) {
			continue
		}
		msg := fmt.Sprintf("unknown field %s: an issuer has %s", short(k), strings.Join(issuerFields, ", "))
		for _, f := range issuerFields {
			if textdist.Distance(strings.ToLower(k), f, 2) <= 2 {
				msg = fmt.Sprintf("unknown field %s: did you mean %s?", short(k), f)
				break
			}
		}
		fs = append(fs, policy.Finding{Severity: policy.SeverityError, Code: codeIssuerUnknown, Pointer: "/" + escapePointer(k), Message: msg})
	}
	if len(fs) > 0 {
		return Issuer{}, fs, findingsErr(fs)
	}
	var iss Issuer
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&iss); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			want := "a string"
			if te.Type != nil && te.Type.Kind().String() == "slice" {
				want = "a list of strings"
			}
			ptr := "/" + strings.ReplaceAll(te.Field, ".", "/")
			return bad(codeIssuerType, ptr, "%s must be %s, not a JSON %s", strings.TrimPrefix(ptr, "/"), want, te.Value)
		}
		return bad(codeIssuerType, "", "the body does not fit an issuer: %v", err)
	}
	if bytes.Equal(bytes.TrimSpace(iss.JWKS), []byte("null")) {
		iss.JWKS = nil
	}
	if iss.JWKS != nil {
		if _, isObj := obj["jwks"].(map[string]any); !isObj {
			return bad(codeIssuerType, "/jwks", `jwks must be a JSON object {"keys": [...]} (RFC 7517 §5)`)
		}
	}
	if iss.Name != "" && iss.Name != name {
		return bad(codeIssuerName, "/name", "the body names the issuer %s but the URL names it %s: drop name from the body or make them agree", short(iss.Name), short(name))
	}
	iss.Name = name
	fs = iss.Validate()
	if fs.HasErrors() {
		return Issuer{}, fs, findingsErr(fs)
	}
	return iss, fs, nil
}

// findingsErr summarises the errors among fs.
func findingsErr(fs policy.Findings) error {
	errs := fs.Errors()
	if len(errs) == 0 {
		return nil
	}
	first := errs[0].Message
	if len(errs) == 1 {
		return errors.New("invalid issuer: " + first)
	}
	return fmt.Errorf("invalid issuer: %s (and %d more problems)", first, len(errs)-1)
}
