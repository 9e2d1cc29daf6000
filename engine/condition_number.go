package engine

// decimal is an exact decimal number, 0.D × 10^exp with a sign, where D is
// the digit string a+b without leading or trailing zeros (zero has no
// digits). Keeping D as two substrings of the text (integer and fraction
// digits) lets a request value be parsed without allocating; comparing the
// digits exactly avoids float64 rounding, under which 9007199254740993 would
// equal 9007199254740992.
type decimal struct {
	neg  bool
	a, b string
	exp  int
}

// maxExpDigits bounds the exponent of a number ("1e999999" is accepted,
// "1e1000000" is not a number), so exponent arithmetic cannot overflow.
const maxExpDigits = 6

// parseDecimal reads an integer or decimal: an optional sign, digits with an
// optional fraction (".5" and "5." are accepted), and an optional exponent
// ("2.5e3"). It rejects everything else, including spaces, "Inf", "NaN" and
// hexadecimal, and does not allocate.
func parseDecimal(s string) (decimal, bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	ip := s[start:i]
	fp := ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fp = s[fs:i]
	}
	if ip == "" && fp == "" {
		return decimal{}, false
	}
	e := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		es := i
		for i < len(s) && isDigit(s[i]) {
			if i-es >= maxExpDigits {
				return decimal{}, false
			}
			e = e*10 + int(s[i]-'0')
			i++
		}
		if i == es {
			return decimal{}, false
		}
		if eneg {
			e = -e
		}
	}
	if i != len(s) {
		return decimal{}, false
	}

	var d decimal
	ip = trimLeadingZeros(ip)
	if ip != "" {
		d.a, d.b, d.exp = ip, fp, len(ip)+e
	} else {
		z := len(fp) - len(trimLeadingZeros(fp))
		d.b, d.exp = fp[z:], e-z
	}
	d.b = trimTrailingZeros(d.b)
	if d.b == "" {
		d.a = trimTrailingZeros(d.a)
	}
	if d.a == "" && d.b == "" {
		return decimal{}, true // zero, whatever its sign
	}
	d.neg = neg
	return d, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func trimLeadingZeros(s string) string {
	for len(s) > 0 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

func trimTrailingZeros(s string) string {
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return s
}

func (d *decimal) isZero() bool { return d.a == "" && d.b == "" }

func (d *decimal) sign() int {
	switch {
	case d.isZero():
		return 0
	case d.neg:
		return -1
	}
	return 1
}

func (d *decimal) digit(i int) byte {
	if i < len(d.a) {
		return d.a[i]
	}
	return d.b[i-len(d.a)]
}

// cmp returns -1, 0 or +1 as d is less than, equal to or greater than e.
func (d *decimal) cmp(e *decimal) int {
	ds, es := d.sign(), e.sign()
	if ds != es {
		if ds < es {
			return -1
		}
		return 1
	}
	if ds == 0 {
		return 0
	}
	c := cmpAbs(d, e)
	if ds < 0 {
		return -c
	}
	return c
}

// cmpAbs compares the magnitudes of two non-zero decimals. Both have a
// non-zero first digit, so the larger exponent is the larger number; with
// equal exponents the digits decide, and with equal leading digits the
// longer digit string (whose last digit is non-zero) is larger.
func cmpAbs(d, e *decimal) int {
	if d.exp != e.exp {
		if d.exp < e.exp {
			return -1
		}
		return 1
	}
	nd, ne := len(d.a)+len(d.b), len(e.a)+len(e.b)
	for i := 0; i < nd && i < ne; i++ {
		x, y := d.digit(i), e.digit(i)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case nd < ne:
		return -1
	case nd > ne:
		return 1
	}
	return 0
}
