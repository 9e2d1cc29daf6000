package policy

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// This file checks the formats of condition values for the operator
// families that are not plain strings, and says what is wrong with a value
// that does not fit. The grammars are those the engine compiles
// (engine/condition_*.go), so that a policy that validates also compiles;
// TestValueFormatsAgreeWithEngine pins the two together.

// maxExponentDigits and maxEpochDigits bound numbers and epoch dates as the
// engine does.
const (
	maxExponentDigits = 6
	maxEpochDigits    = 12
)

// checkNumber checks the value of a Numeric* operator: a decimal integer or
// fraction with an optional sign and exponent ("10", "-2.5", ".5", "1e3").
// IAM's examples use integers ("NumericLessThanEquals": {"s3:max-keys":
// "10"}). Hexadecimal, "Inf", "NaN", underscores and spaces are not numbers.
func checkNumber(s string) error {
	if isDecimal(s) {
		return nil
	}
	if t := strings.TrimSpace(s); t != s && isDecimal(t) {
		return errors.New("it has surrounding whitespace")
	}
	return errors.New("only digits with an optional sign, decimal point and exponent are allowed")
}

// isDecimal reports whether s is [+-]digits[.digits][(e|E)[+-]digits], with
// at least one digit before or after the point and an exponent of at most
// maxExponentDigits digits.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	intDigits := digitRun(s[i:])
	i += intDigits
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		i++
		fracDigits = digitRun(s[i:])
		i += fracDigits
	}
	if intDigits == 0 && fracDigits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		n := digitRun(s[i:])
		if n == 0 || n > maxExponentDigits {
			return false
		}
		i += n
	}
	return i == len(s)
}

// digitRun returns the number of leading ASCII digits of s.
func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// parseDate parses the value of a Date* operator. IAM accepts "one of the W3C
// implementations of the ISO 8601 date formats" or epoch (UNIX) time:
//
//	2020                      year
//	2020-01                   year and month
//	2020-01-31                date
//	2020-01-31T10:30Z         date, hours and minutes
//	2020-01-31T10:30:15Z      ... and seconds
//	2020-01-31T10:30:15.25Z   ... and a decimal fraction of a second
//	1580466615                seconds since 1970-01-01T00:00:00Z
//
// The time zone is "Z" or an offset "+hh:mm" / "-hh:mm" ("+hhmm" and "+hh"
// are accepted too); a time without a zone is taken as UTC. As in the
// engine, "t", "z" and a decimal comma are accepted, and four digits alone
// are a year, not an epoch second.
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("it is empty")
	}
	if t, ok, err := parseEpoch(s); ok {
		return t, err
	}
	p := dateScanner{s: s}
	year, ok := p.digits(4)
	if !ok {
		return time.Time{}, errors.New("it does not start with a four-digit year")
	}
	month, day := 1, 1
	hour, minute, sec, nsec := 0, 0, 0, 0
	loc := time.UTC
	fullDate := false
	if p.eat('-') {
		if month, ok = p.digits(2); !ok {
			return time.Time{}, errors.New("the month must be two digits")
		}
		if p.eat('-') {
			if day, ok = p.digits(2); !ok {
				return time.Time{}, errors.New("the day must be two digits")
			}
			fullDate = true
		}
	}
	if p.eat('T') || p.eat('t') {
		if !fullDate {
			return time.Time{}, errors.New("a time needs a full date before it (YYYY-MM-DDThh:mm)")
		}
		if hour, ok = p.digits(2); !ok {
			return time.Time{}, errors.New("the hour must be two digits")
		}
		if !p.eat(':') {
			return time.Time{}, errors.New("the time needs minutes (hh:mm)")
		}
		if minute, ok = p.digits(2); !ok {
			return time.Time{}, errors.New("the minutes must be two digits")
		}
		if p.eat(':') {
			if sec, ok = p.digits(2); !ok {
				return time.Time{}, errors.New("the seconds must be two digits")
			}
			if p.eat('.') || p.eat(',') {
				n := digitRun(p.s[p.i:])
				if n == 0 {
					return time.Time{}, errors.New("the fraction of a second has no digits")
				}
				nsec = fraction(p.s[p.i : p.i+n])
				p.i += n
			}
		}
		var err error
		if loc, err = p.zone(); err != nil {
			return time.Time{}, err
		}
	}
	if p.i != len(p.s) {
		return time.Time{}, fmt.Errorf("unexpected %q after the date", p.s[p.i:])
	}
	switch {
	case month < 1 || month > 12:
		return time.Time{}, fmt.Errorf("month %02d is out of range", month)
	case day < 1 || day > 31:
		return time.Time{}, fmt.Errorf("day %02d is out of range", day)
	case hour > 23:
		return time.Time{}, fmt.Errorf("hour %02d is out of range", hour)
	case minute > 59:
		return time.Time{}, fmt.Errorf("minute %02d is out of range", minute)
	case sec > 59:
		return time.Time{}, fmt.Errorf("second %02d is out of range", sec)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	if t.Day() != day {
		return time.Time{}, fmt.Errorf("%04d-%02d has no day %02d", year, month, day)
	}
	return t, nil
}

// parseEpoch parses [-]digits[.digits] as seconds since the Unix epoch. ok
// is false when s does not look like epoch seconds at all (then it may be
// an ISO date); err says what is wrong with one that does.
func parseEpoch(s string) (t time.Time, ok bool, err error) {
	body := strings.TrimPrefix(s, "-")
	for i := 0; i < len(body); i++ {
		if c := body[i]; (c < '0' || c > '9') && c != '.' {
			return time.Time{}, false, nil
		}
	}
	if len(s) == 4 && body == s && !strings.Contains(s, ".") {
		return time.Time{}, false, nil // YYYY
	}
	whole, frac, _ := strings.Cut(body, ".")
	switch {
	case whole == "":
		return time.Time{}, true, errors.New("epoch seconds need digits before the point")
	case strings.Contains(frac, "."):
		return time.Time{}, true, errors.New("it has more than one decimal point")
	case len(whole) > maxEpochDigits:
		return time.Time{}, true, fmt.Errorf("epoch seconds have at most %d digits", maxEpochDigits)
	}
	sec, _ := strconv.ParseInt(whole, 10, 64)
	nsec := int64(fraction(frac))
	if body != s {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), true, nil
}

// fraction returns the nanoseconds of the decimal fraction digits ds
// (digits beyond the ninth are dropped).
func fraction(ds string) int {
	if len(ds) > 9 {
		ds = ds[:9]
	}
	v, _ := strconv.Atoi(ds + strings.Repeat("0", 9-len(ds)))
	return v
}

// dateScanner reads a date left to right.
type dateScanner struct {
	s string
	i int
}

func (p *dateScanner) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// digits reads exactly n digits.
func (p *dateScanner) digits(n int) (int, bool) {
	if len(p.s)-p.i < n || digitRun(p.s[p.i:p.i+n]) != n {
		return 0, false
	}
	v, _ := strconv.Atoi(p.s[p.i : p.i+n])
	p.i += n
	return v, true
}

// zone reads an optional time zone designator, which must end the date.
func (p *dateScanner) zone() (*time.Location, error) {
	if p.i == len(p.s) {
		return time.UTC, nil
	}
	if p.eat('Z') || p.eat('z') {
		return time.UTC, nil
	}
	sign := 1
	switch {
	case p.eat('+'):
	case p.eat('-'):
		sign = -1
	default:
		return nil, fmt.Errorf("unexpected %q where a time zone (Z or +hh:mm) belongs", p.s[p.i:])
	}
	bad := errors.New("the time zone offset must be +hh:mm or -hh:mm")
	hh, ok := p.digits(2)
	if !ok {
		return nil, bad
	}
	mm := 0
	if p.i < len(p.s) {
		p.eat(':')
		if mm, ok = p.digits(2); !ok {
			return nil, bad
		}
	}
	if hh > 23 || mm > 59 {
		return nil, fmt.Errorf("time zone offset %02d:%02d is out of range", hh, mm)
	}
	return time.FixedZone("", sign*(hh*3600+mm*60)), nil
}

// parseBoolValue parses the value of a Bool or Null operator: "true" or
// "false", in any case (JSON true and false arrive as their text).
func parseBoolValue(s string) (bool, error) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, nil
	case strings.EqualFold(s, "false"):
		return false, nil
	}
	return false, errors.New("it is neither true nor false")
}

// checkBinary checks the value of a BinaryEquals operator: the bytes in
// standard base64 (RFC 4648 §4), with or without padding ("" is no bytes).
func checkBinary(s string) error {
	if _, err := base64.StdEncoding.DecodeString(s); err == nil {
		return nil
	}
	if _, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return nil
	}
	if strings.ContainsAny(s, "-_") {
		return errors.New("it uses the URL-safe alphabet (- and _) instead of standard base64 (+ and /)")
	}
	for _, r := range s {
		if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n", r) {
			return fmt.Errorf("%q is not a base64 character", r)
		}
	}
	return errors.New("its length or padding is wrong")
}

// parseIPValue parses the value of an IpAddress or NotIpAddress operator: an
// IPv4 or IPv6 address or CIDR block ("203.0.113.0/24", "2001:db8::/32"). A
// lone address is the block of just that address (/32 or /128). Host bits
// after the prefix are allowed, as in IAM, and ignored.
func parseIPValue(s string) (netip.Prefix, error) {
	addrText, bits, hasBits := strings.Cut(s, "/")
	addr, err := netip.ParseAddr(addrText)
	switch {
	case addrText == "":
		return netip.Prefix{}, errors.New("it has no address")
	case err != nil:
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 or IPv6 address", addrText)
	case addr.Zone() != "":
		return netip.Prefix{}, errors.New("an address with a zone (%...) cannot be matched")
	case !hasBits:
		return netip.PrefixFrom(addr, addr.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		n := digitRun(bits)
		l, _ := strconv.Atoi(bits)
		if n == len(bits) && n > 0 && n <= 3 && l > addr.BitLen() {
			family := "IPv6"
			if addr.Is4() {
				family = "IPv4"
			}
			return netip.Prefix{}, fmt.Errorf("prefix length /%d is longer than the %d bits of an %s address", l, addr.BitLen(), family)
		}
		return netip.Prefix{}, fmt.Errorf("prefix length /%s is not a number from 0 to %d", bits, addr.BitLen())
	}
	return p.Masked(), nil
}

// The parts of an ARN, in the order splitARN returns them.
const (
	arnPrefix = iota
	arnPartition
	arnService
	arnRegion
	arnAccount
	arnResource
)

// splitARN splits the value of an Arn* operator into its six colon-separated
// parts: "arn", partition, service, region, account and resource (which may
// itself contain colons). IAM compares each part separately, and wildcards
// cannot span parts, so all six must be present even when empty or "*".
func splitARN(s string) ([6]string, error) {
	var parts [6]string
	fields := strings.SplitN(s, ":", 6)
	if len(fields) < 6 {
		return parts, fmt.Errorf("it has %d of the six colon-separated parts", len(fields))
	}
	copy(parts[:], fields)
	if p := parts[arnPrefix]; p != "arn" && !strings.ContainsAny(p, "*?") {
		return parts, fmt.Errorf("it starts with %q instead of \"arn\"", p)
	}
	return parts, nil
}
