package policy

import (
	"net/netip"
	"testing"
	"time"
)

// Date condition values: "one of the W3C implementations of the ISO 8601
// date formats ... or epoch (UNIX) time" (IAM User Guide, condition
// operators, "Date condition operators").
func TestParseDate(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2020", utc(2020, 1, 1, 0, 0, 0, 0)},
		{"2020-07", utc(2020, 7, 1, 0, 0, 0, 0)},
		{"2020-07-16", utc(2020, 7, 16, 0, 0, 0, 0)},
		{"2020-07-16T12:30Z", utc(2020, 7, 16, 12, 30, 0, 0)},
		{"2020-07-16T12:30:45Z", utc(2020, 7, 16, 12, 30, 45, 0)},
		{"2020-07-16T12:30:45.5Z", utc(2020, 7, 16, 12, 30, 45, 500_000_000)},
		{"2020-07-16T12:30:45.123456789123Z", utc(2020, 7, 16, 12, 30, 45, 123_456_789)},
		{"2020-07-16T12:30:45+02:00", utc(2020, 7, 16, 10, 30, 45, 0)},
		{"2020-07-16T12:30:45-0130", utc(2020, 7, 16, 14, 0, 45, 0)},
		{"2020-07-16T12:30:45+05", utc(2020, 7, 16, 7, 30, 45, 0)},
		{"2020-07-16T12:30:45", utc(2020, 7, 16, 12, 30, 45, 0)},
		{"1735689600", utc(2025, 1, 1, 0, 0, 0, 0)},
		{"1735689600.25", utc(2025, 1, 1, 0, 0, 0, 250_000_000)},
		{"0", utc(1970, 1, 1, 0, 0, 0, 0)},
		{"-86400", utc(1969, 12, 31, 0, 0, 0, 0)},
		{"1.", utc(1970, 1, 1, 0, 0, 1, 0)},
		{"2020-07-16t12:30:45z", utc(2020, 7, 16, 12, 30, 45, 0)},
		{"2020-07-16T12:30:45,5Z", utc(2020, 7, 16, 12, 30, 45, 500_000_000)},
	}
	for _, tt := range tests {
		got, err := parseDate(tt.in)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{
		"", "2020-7-16", "2020-07-16T12", "2020-07-16T12:30:45ZZ", "2020-07-16T24:00:00Z",
		"2020-07-16T12:60Z", "2020-07-16T12:30:61Z", "2020-00-10", "2020-07-00", "2019-02-29",
		"2020-07-16T12:30:45+24:00", "2020-07-16T12:30:45+1", "2020-07-16T12:30:45+05:3", "12a", "--1", ".5", "1.2.3",
		"1234567890123", "-",
		"2020-07-16T12:30:45.Z", "2020-07T12:30Z", "2020-07-16 12:30:45",
	} {
		if got, err := parseDate(bad); err == nil {
			t.Errorf("parseDate(%q) = %v, want an error", bad, got)
		}
	}
}

// Numeric condition values: integers and decimals
// ("NumericLessThanEquals": {"s3:max-keys": "10"}).
func TestCheckNumber(t *testing.T) {
	for _, ok := range []string{"10", "-2.5", "+7", ".5", "5.", "1e3", "1.5E-2", "007", "1e999999", "9007199254740993"} {
		if err := checkNumber(ok); err != nil {
			t.Errorf("checkNumber(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-", ".", "ten", " 1", "1 ", "0x10", "1_000", "Inf", "NaN", "1e", "1e+", "1e1000000", "1.2.3", "--1"} {
		if err := checkNumber(bad); err == nil {
			t.Errorf("checkNumber(%q): want an error", bad)
		}
	}
}

// Bool and Null values: true or false.
func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "TRUE": true, "False": false, "false": false} {
		if got, err := parseBoolValue(in); err != nil || got != want {
			t.Errorf("parseBoolValue(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "1", "0", "yes", "t", " true"} {
		if _, err := parseBoolValue(bad); err == nil {
			t.Errorf("parseBoolValue(%q): want an error", bad)
		}
	}
}

// BinaryEquals values are base64.
func TestCheckBinary(t *testing.T) {
	for _, ok := range []string{"QmluYXJ5VmFsdWVJbkJhc2U2NA==", "YQ", "YQ==", "+/8=", "YR==", "Qmlu\nYXJ5", ""} {
		if err := checkBinary(ok); err != nil {
			t.Errorf("checkBinary(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"Y", "YQ=", "-_8=", "a b", "YQ==YQ=="} {
		if err := checkBinary(bad); err == nil {
			t.Errorf("checkBinary(%q): want an error", bad)
		}
	}
}

// IpAddress values: "the IP address or range in standard CIDR format".
func TestParseIPValue(t *testing.T) {
	tests := map[string]string{
		"203.0.113.0/24":          "203.0.113.0/24",
		"203.0.113.7":             "203.0.113.7/32",
		"10.0.0.5/8":              "10.0.0.0/8",
		"2001:DB8:1234:5678::/64": "2001:db8:1234:5678::/64",
		"::1":                     "::1/128",
		"0.0.0.0/0":               "0.0.0.0/0",
	}
	for in, want := range tests {
		got, err := parseIPValue(in)
		if err != nil || got != netip.MustParsePrefix(want) {
			t.Errorf("parseIPValue(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "/", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.256", "10.0.0.0/-1", "10.0.0.0/8/8", "fe80::1%eth0", "host", "10.0.0.0/ 8", "010.0.0.1", "10.0.0.0/08", "fe80::1%eth0/64"} {
		if got, err := parseIPValue(bad); err == nil {
			t.Errorf("parseIPValue(%q) = %v, want an error", bad, got)
		}
	}
}

// Arn* values have six colon-separated parts; the resource part may hold
// colons.
func TestSplitARN(t *testing.T) {
	got, err := splitARN("arn:aws:ec2:us-east-1:123456789012:instance/i-1:x")
	want := [6]string{"arn", "aws", "ec2", "us-east-1", "123456789012", "instance/i-1:x"}
	if err != nil || got != want {
		t.Errorf("SplitARN = %q, %v", got, err)
	}
	for _, ok := range []string{"arn:aws:s3:::b", "arn:*:iam::*:role/*", "ar?:aws:s3:::b", "arn:::::"} {
		if _, err := splitARN(ok); err != nil {
			t.Errorf("splitARN(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "*", "arn:aws:s3", "arn:aws:s3::", "urn:aws:s3:::b", "ARN:aws:s3:::b"} {
		if _, err := splitARN(bad); err == nil {
			t.Errorf("splitARN(%q): want an error", bad)
		}
	}
}
