package engine

import "time"

// instant is a point in time as Unix seconds and nanoseconds, which compares
// without time zones and covers every year a policy can write.
type instant struct {
	sec  int64
	nsec int32
}

// cmp returns -1, 0 or +1 as t is before, at or after u.
func (t instant) cmp(u instant) int {
	switch {
	case t.sec < u.sec:
		return -1
	case t.sec > u.sec:
		return 1
	case t.nsec < u.nsec:
		return -1
	case t.nsec > u.nsec:
		return 1
	}
	return 0
}

// maxEpochDigits bounds the integer part of epoch seconds (12 digits reach
// the year 33658), keeping the arithmetic far from overflow.
const maxEpochDigits = 12

// parseInstant reads a date as the IAM User Guide allows for Date operators:
// one of the W3C profiles of ISO 8601 or epoch (Unix) seconds.
//
//	YYYY  YYYY-MM  YYYY-MM-DD                       (midnight UTC)
//	YYYY-MM-DDThh:mm[:ss[.s...]][TZD]               TZD: Z, +hh:mm, -hh:mm, +hhmm, +hh
//	1735689600  -86400  1735689600.25              (epoch seconds)
//
// A time without a zone designator is taken as UTC (W3C requires one; being
// lenient here cannot widen a match in a surprising direction, since AWS
// context times are UTC). A string of exactly four digits is a year, not an
// epoch second. It does not allocate.
func parseInstant(s string) (instant, bool) {
	if len(s) == 0 {
		return instant{}, false
	}
	if isEpochText(s) && !isYear(s) {
		return parseEpoch(s)
	}
	return parseISO(s)
}

// isYear reports whether s is four digits, the ISO 8601 form YYYY.
func isYear(s string) bool {
	_, ok := digitsAt(s, 0, 4)
	return ok && len(s) == 4
}

// isEpochText reports whether s looks like epoch seconds (digits with an
// optional sign and fraction), as opposed to an ISO date.
func isEpochText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && c != '.' && !(i == 0 && c == '-') {
			return false
		}
	}
	return true
}

func parseEpoch(s string) (instant, bool) {
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	ip, fp := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			ip, fp = s[:i], s[i+1:]
			break
		}
	}
	if ip == "" || len(ip) > maxEpochDigits {
		return instant{}, false
	}
	var sec int64
	for i := 0; i < len(ip); i++ {
		sec = sec*10 + int64(ip[i]-'0')
	}
	var nsec int64
	for i := 0; i < len(fp); i++ {
		if !isDigit(fp[i]) {
			return instant{}, false
		}
		if i < 9 {
			nsec = nsec*10 + int64(fp[i]-'0')
		}
	}
	for i := len(fp); i < 9; i++ {
		nsec *= 10
	}
	if neg && (sec != 0 || nsec != 0) {
		sec = -sec
		if nsec != 0 {
			sec--
			nsec = 1e9 - nsec
		}
	}
	return instant{sec: sec, nsec: int32(nsec)}, true
}

func parseISO(s string) (instant, bool) {
	year, ok := digitsAt(s, 0, 4)
	if !ok {
		return instant{}, false
	}
	month, day := 1, 1
	pos := 4
	if pos < len(s) {
		if s[pos] != '-' {
			return instant{}, false
		}
		if month, ok = digitsAt(s, pos+1, 2); !ok || month < 1 || month > 12 {
			return instant{}, false
		}
		pos += 3
	}
	if pos < len(s) {
		if s[pos] != '-' {
			return instant{}, false
		}
		if day, ok = digitsAt(s, pos+1, 2); !ok || day < 1 || day > daysIn(year, month) {
			return instant{}, false
		}
		pos += 3
	}
	var hour, min, sec, nsec, offset int
	if pos < len(s) {
		if (s[pos] != 'T' && s[pos] != 't') || len(s) < pos+6 || s[pos+3] != ':' {
			return instant{}, false
		}
		if hour, ok = digitsAt(s, pos+1, 2); !ok || hour > 23 {
			return instant{}, false
		}
		if min, ok = digitsAt(s, pos+4, 2); !ok || min > 59 {
			return instant{}, false
		}
		pos += 6
		if pos < len(s) && s[pos] == ':' {
			if sec, ok = digitsAt(s, pos+1, 2); !ok || sec > 59 {
				return instant{}, false
			}
			pos += 3
			if pos < len(s) && (s[pos] == '.' || s[pos] == ',') {
				pos++
				start := pos
				for pos < len(s) && isDigit(s[pos]) {
					if pos-start < 9 {
						nsec = nsec*10 + int(s[pos]-'0')
					}
					pos++
				}
				if pos == start {
					return instant{}, false
				}
				for i := pos - start; i < 9; i++ {
					nsec *= 10
				}
			}
		}
		if offset, ok = parseZone(s[pos:]); !ok {
			return instant{}, false
		}
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, time.UTC)
	return instant{sec: t.Unix() - int64(offset), nsec: int32(nsec)}, true
}

// parseZone reads a time zone designator and returns its offset east of
// UTC in seconds. The empty string is UTC.
func parseZone(z string) (int, bool) {
	switch {
	case z == "" || z == "Z" || z == "z":
		return 0, true
	case z[0] != '+' && z[0] != '-':
		return 0, false
	}
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	h, ok := digitsAt(z, 1, 2)
	if !ok || h > 23 {
		return 0, false
	}
	m := 0
	switch len(z) {
	case 3: // +hh
	case 5: // +hhmm
		m, ok = digitsAt(z, 3, 2)
	case 6: // +hh:mm
		ok = z[3] == ':'
		if ok {
			m, ok = digitsAt(z, 4, 2)
		}
	default:
		return 0, false
	}
	if !ok || m > 59 {
		return 0, false
	}
	return sign * (h*3600 + m*60), true
}

// digitsAt reads n decimal digits of s starting at i.
func digitsAt(s string, i, n int) (int, bool) {
	if i < 0 || i+n > len(s) {
		return 0, false
	}
	v := 0
	for j := i; j < i+n; j++ {
		c := s[j]
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
