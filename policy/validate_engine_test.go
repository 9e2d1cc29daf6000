package policy_test

import (
	"testing"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
)

// valueFormatCodes are the codes of Validate that mean "the engine cannot
// compile this value".
var valueFormatCodes = map[string]bool{
	policy.CodeBadNumber: true, policy.CodeBadDate: true, policy.CodeBadBool: true,
	policy.CodeBadBinary: true, policy.CodeBadCIDR: true, policy.CodeBadARN: true,
}

// agree checks that Validate reports a malformed value exactly when the
// engine refuses to compile it, so that a policy that validates also
// compiles and a policy Validate rejects is not one the engine would run.
func agree(t *testing.T, opName, value string, version string) {
	t.Helper()
	op, ok := policy.ParseOperator(opName)
	if !ok {
		t.Fatalf("bad operator %q", opName)
	}
	doc := &policy.Document{Version: version, Statements: []*policy.Statement{{
		Effect:   policy.Deny,
		Action:   []policy.Str{{Value: "s3:GetObject"}},
		Resource: []policy.Str{{Value: "*"}},
		Conditions: []*policy.Condition{{
			Operator: policy.Str{Value: opName}, Op: op,
			Key: policy.Str{Value: "k"}, Values: []policy.Str{{Value: value}},
		}},
	}}}
	invalid, badVar := false, false
	for _, f := range policy.Validate(doc, policy.KindIdentity) {
		invalid = invalid || valueFormatCodes[f.Code]
		badVar = badVar || f.Code == policy.CodeBadVariable
	}
	_, err := engine.Compile([]engine.Policy{{Name: "p", Kind: policy.KindIdentity, Doc: doc}})
	switch {
	case err != nil && !invalid && !badVar:
		t.Errorf("%s %q (Version %q): Validate accepts it, engine.Compile fails: %v", opName, value, version, err)
	case err == nil && invalid && op.Base.Family() != policy.FamilyArn:
		// Validate is stricter than the engine in one documented way: an
		// ARN value whose first part is not "arn" compiles (and never
		// matches). A malformed variable (badVar) is an error for Validate,
		// as in IAM, while the engine reads it as literal text.
		t.Errorf("%s %q (Version %q): Validate rejects it, engine.Compile accepts it", opName, value, version)
	}
}

var agreementSeeds = []struct{ op, value string }{
	{"NumericEquals", "10"}, {"NumericEquals", "-2.5"}, {"NumericEquals", ".5"}, {"NumericEquals", "5."},
	{"NumericEquals", "1e999999"}, {"NumericEquals", "1e1000000"}, {"NumericEquals", " 1"}, {"NumericEquals", "0x10"},
	{"NumericEquals", "NaN"}, {"NumericEquals", ""}, {"NumericEquals", "${k}"},
	{"DateEquals", "2020"}, {"DateEquals", "2020-01"}, {"DateEquals", "2020-02-29"}, {"DateEquals", "2021-02-29"},
	{"DateEquals", "2020-01-31T10:30Z"}, {"DateEquals", "2020-01-31t10:30:15.25z"}, {"DateEquals", "2020-01-31T10:30:15,5+02:00"},
	{"DateEquals", "2020-01-31T10:30:15-0530"}, {"DateEquals", "2020-01-31T10:30:15+05"}, {"DateEquals", "2020-01-31T10:30"},
	{"DateEquals", "1735689600"}, {"DateEquals", "-86400"}, {"DateEquals", "1."}, {"DateEquals", ".5"},
	{"DateEquals", "1234567890123"}, {"DateEquals", "2020-01T10:00Z"}, {"DateEquals", "2020-01-31T24:00Z"},
	{"DateEquals", "2020-01-31 10:00"}, {"DateEquals", "yesterday"}, {"DateEquals", ""}, {"DateEquals", "${k}"},
	{"Bool", "true"}, {"Bool", "FALSE"}, {"Bool", "yes"}, {"Bool", ""}, {"Bool", "${k}"}, {"Bool", "${k"},
	{"Null", "true"}, {"Null", "1"}, {"Null", "${k}"},
	{"BinaryEquals", "QmluYXJ5"}, {"BinaryEquals", "YQ"}, {"BinaryEquals", "YR=="}, {"BinaryEquals", "Y"},
	{"BinaryEquals", "-_8="}, {"BinaryEquals", ""}, {"BinaryEquals", "Qmlu\nYXJ5"},
	{"IpAddress", "203.0.113.0/24"}, {"IpAddress", "203.0.113.7"}, {"IpAddress", "::ffff:1.2.3.4/120"},
	{"IpAddress", "10.0.0.0/33"}, {"IpAddress", "10.0.0.0/08"}, {"IpAddress", "fe80::1%eth0"}, {"IpAddress", ""},
	{"NotIpAddress", "host"}, {"NotIpAddress", "${k}"},
	{"ArnLike", "arn:aws:s3:::b"}, {"ArnLike", "arn:aws:s3"}, {"ArnLike", "${k}"}, {"ArnLike", "arn:${k}"},
	{"ArnEquals", "arn:aws:iam::*:role/*"}, {"ArnEquals", "arn:aws:s3:::b/${k"},
	{"StringEquals", "x${k"}, {"StringLike", "${k}/*"},
}

func TestValueFormatsAgreeWithEngine(t *testing.T) {
	for _, s := range agreementSeeds {
		agree(t, s.op, s.value, policy.Version2012)
		agree(t, s.op, s.value, "")
	}
}

// FuzzValueFormatsAgreeWithEngine looks for values on which Validate and the
// engine disagree. CI runs the seeds only.
func FuzzValueFormatsAgreeWithEngine(f *testing.F) {
	ops := []string{"NumericEquals", "DateEquals", "Bool", "Null", "BinaryEquals", "IpAddress", "ArnLike", "StringEquals"}
	for _, s := range agreementSeeds {
		for i, op := range ops {
			if op == s.op {
				f.Add(uint8(i), s.value, true)
			}
		}
	}
	f.Fuzz(func(t *testing.T, opIndex uint8, value string, vars bool) {
		version := ""
		if vars {
			version = policy.Version2012
		}
		agree(t, ops[int(opIndex)%len(ops)], value, version)
	})
}
