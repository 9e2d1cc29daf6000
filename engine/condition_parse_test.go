package engine

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/policy"
)

func TestParseDecimal(t *testing.T) {
	valid := []string{"0", "-0", "+0", "10", "007", "2.5", ".5", "5.", "-2.25", "1e3", "1E-3", "1.5e+2", "0.000", "123456789012345678901234567890"}
	invalid := []string{"", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1,5", " 1", "1 ", "Inf", "NaN", "0x10", "1_000", "1e1000000", "--1", "1-"}
	for _, s := range valid {
		if _, ok := parseDecimal(s); !ok {
			t.Errorf("parseDecimal(%q) failed", s)
		}
	}
	for _, s := range invalid {
		if _, ok := parseDecimal(s); ok {
			t.Errorf("parseDecimal(%q) succeeded", s)
		}
	}
}

// The decimal comparison agrees with exact rational arithmetic.
func TestDecimalCompareAgreesWithBigRat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func() string {
		var b strings.Builder
		if rng.IntN(3) == 0 {
			b.WriteByte("+-"[rng.IntN(2)])
		}
		for n := rng.IntN(4); n >= 0; n-- {
			b.WriteByte("0012345789"[rng.IntN(10)])
		}
		if rng.IntN(2) == 0 {
			b.WriteByte('.')
			for n := rng.IntN(4); n >= 0; n-- {
				b.WriteByte("0012345789"[rng.IntN(10)])
			}
		}
		if rng.IntN(3) == 0 {
			b.WriteByte('e')
			if rng.IntN(2) == 0 {
				b.WriteByte('-')
			}
			b.WriteByte("0123"[rng.IntN(4)])
		}
		return b.String()
	}
	rat := func(s string) *big.Rat {
		r, ok := new(big.Rat).SetString(strings.TrimPrefix(s, "+"))
		if !ok {
			t.Fatalf("big.Rat cannot read %q", s)
		}
		return r
	}
	for i := 0; i < 20000; i++ {
		a, b := gen(), gen()
		da, ok1 := parseDecimal(a)
		db, ok2 := parseDecimal(b)
		if !ok1 || !ok2 {
			t.Fatalf("parse %q %q: %v %v", a, b, ok1, ok2)
		}
		if got, want := da.cmp(&db), rat(a).Cmp(rat(b)); got != want {
			t.Fatalf("cmp(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}

func TestParseInstant(t *testing.T) {
	tests := []struct {
		s    string
		want string // RFC 3339 in UTC, or "" for invalid
	}{
		{"2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"},
		{"2025-01-01T00:00:00z", "2025-01-01T00:00:00Z"},
		{"2025-01-01t00:00:00Z", "2025-01-01T00:00:00Z"},
		{"2025-01-01T01:00:00+01:00", "2025-01-01T00:00:00Z"},
		{"2025-01-01T01:00:00+0100", "2025-01-01T00:00:00Z"},
		{"2025-01-01T01:00:00+01", "2025-01-01T00:00:00Z"},
		{"2024-12-31T19:00:00-05:00", "2025-01-01T00:00:00Z"},
		{"2025-01-01T00:00:00.5Z", "2025-01-01T00:00:00.5Z"},
		{"2025-01-01T00:00:00,25Z", "2025-01-01T00:00:00.25Z"},
		{"2025-01-01T00:00:00.1234567891Z", "2025-01-01T00:00:00.123456789Z"},
		{"2025-01-01T00:00:00", "2025-01-01T00:00:00Z"},
		{"2025-01-01T10:30Z", "2025-01-01T10:30:00Z"},
		{"2025-01-01", "2025-01-01T00:00:00Z"},
		{"2025-06", "2025-06-01T00:00:00Z"},
		{"2025", "2025-01-01T00:00:00Z"},
		{"2024-02-29", "2024-02-29T00:00:00Z"},
		{"1735689600", "2025-01-01T00:00:00Z"},
		{"1735689600.5", "2025-01-01T00:00:00.5Z"},
		{"0", "1970-01-01T00:00:00Z"},
		{"-1", "1969-12-31T23:59:59Z"},
		{"-0.5", "1969-12-31T23:59:59.5Z"},
		{"", ""},
		{"yesterday", ""},
		{"2025-1-01", ""},
		{"2025-00-01", ""},
		{"2025-02-29", ""},
		{"2025-04-31", ""},
		{"2025-01-01T", ""},
		{"2025-01-01T25:00:00Z", ""},
		{"2025-01-01T10:60:00Z", ""},
		{"2025-01-01T10:00:60Z", ""},
		{"2025-01-01T10:00:00.Z", ""},
		{"2025-01-01T10:00:00+1:00", ""},
		{"2025-01-01T10:00:00+01:60", ""},
		{"2025-01-01T10:00:00 UTC", ""},
		{"2025-01-01 10:00:00Z", ""},
		{"1.2.3", ""},
		{"1234567890123", ""},
		{"-", ""},
	}
	for _, tt := range tests {
		got, ok := parseInstant(tt.s)
		if tt.want == "" {
			if ok {
				t.Errorf("parseInstant(%q) succeeded", tt.s)
			}
			continue
		}
		want, err := time.Parse(time.RFC3339Nano, tt.want)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || got != (instant{sec: want.Unix(), nsec: int32(want.Nanosecond())}) {
			t.Errorf("parseInstant(%q) = %v %v, want %v", tt.s, got, ok, tt.want)
		}
	}
}

func TestBase64Compare(t *testing.T) {
	tests := []struct {
		s           string
		want        string
		valid, same bool
	}{
		{"QmluYXJ5", "Binary", true, true},
		{"QmluYXJ5VmFsdWU=", "BinaryValue", true, true},
		{"QmluYXJ5VmFsdWU", "BinaryValue", true, true},
		{"QmluYXJ5\nVmFsdWU=", "BinaryValue", true, true},
		{"QmluYXJ5VmFsdWU=", "BinaryValuX", true, false},
		{"QmluYXJ5VmFsdWU=", "BinaryValueX", true, false},
		{"", "", true, true},
		{"QQ==", "A", true, true},
		{"QQ=", "A", false, false},
		{"QQ===", "A", false, false},
		{"Q", "", false, false},
		{"QQ==QQ==", "AA", false, false},
		{"Q!==", "", false, false},
		{"QmluYXJ5-_", "", false, false},
	}
	for _, tt := range tests {
		valid, same := base64Compare(tt.s, []byte(tt.want))
		if valid != tt.valid || same != tt.same {
			t.Errorf("base64Compare(%q, %q) = %v %v, want %v %v", tt.s, tt.want, valid, same, tt.valid, tt.same)
		}
	}
}

// arnRef is a plain reference for the ARN operators, written from the IAM
// User Guide's description: split the policy value and the request value
// into six parts at the first five colons (the sixth keeps the rest) and
// glob-match part by part, variables substituted literally. When the
// value's own text has fewer than five colons, its variables stand for
// several parts, so they are substituted before splitting.
func arnRef(pat string, s string, vars map[string]string) bool {
	type ch struct {
		c    byte
		lit  bool // from a variable or escape: never a wildcard
		isVa bool // from a variable
	}
	tmpl, err := policy.ParseTemplate(pat, true)
	if err != nil {
		return false
	}
	var seq []ch
	textColons := 0
	for _, p := range tmpl {
		switch p.Kind {
		case policy.PartText:
			for i := 0; i < len(p.Text); i++ {
				seq = append(seq, ch{c: p.Text[i]})
				if p.Text[i] == ':' {
					textColons++
				}
			}
		case policy.PartEscape:
			seq = append(seq, ch{c: p.Text[0], lit: true})
		case policy.PartVar:
			v, ok := vars[p.Text]
			if !ok {
				return false
			}
			for i := 0; i < len(v); i++ {
				seq = append(seq, ch{c: v[i], lit: true, isVa: true})
			}
		}
	}
	splitOnText := textColons >= 5
	var pparts [][]ch
	cur := []ch{}
	for _, c := range seq {
		if c.c == ':' && len(pparts) < 5 && (!c.isVa || !splitOnText) {
			pparts = append(pparts, cur)
			cur = []ch{}
			continue
		}
		cur = append(cur, c)
	}
	pparts = append(pparts, cur)
	sparts := strings.SplitN(s, ":", 6)
	if len(pparts) != 6 || len(sparts) != 6 {
		return false
	}
	var glob func(p []ch, s string) bool
	glob = func(p []ch, s string) bool {
		if len(p) == 0 {
			return s == ""
		}
		switch {
		case !p[0].lit && p[0].c == '*':
			for i := 0; i <= len(s); i++ {
				if glob(p[1:], s[i:]) {
					return true
				}
			}
			return false
		case !p[0].lit && p[0].c == '?':
			return s != "" && glob(p[1:], s[1:])
		}
		return s != "" && s[0] == p[0].c && glob(p[1:], s[1:])
	}
	for i := range pparts {
		if !glob(pparts[i], sparts[i]) {
			return false
		}
	}
	return true
}

// The whole-string ARN matcher agrees with splitting into parts, on random
// patterns and values over a small alphabet rich in colons and wildcards.
func TestArnMatchAgreesWithSplitting(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vars := map[string]string{"v": "a:b", "w": "b", "x": "a:b:c:d:e:f"}
	r := ctx("v", "a:b", "w", "b", "x", "a:b:c:d:e:f")
	patAlpha := []string{"a", "b", ":", ":", ":", "*", "*", "?", "${w}", "${v}", "${*}"}
	gen := func(alpha []string, n int) string {
		var b strings.Builder
		for i := rng.IntN(n); i >= 0; i-- {
			b.WriteString(alpha[rng.IntN(len(alpha))])
		}
		return b.String()
	}
	checked := 0
	for i := 0; i < 200000; i++ {
		pat := gen(patAlpha, 12)
		if rng.IntN(20) == 0 {
			pat = "${x}"
		}
		s := gen([]string{"a", "b", ":", ":", "*"}, 14)
		if rng.IntN(2) == 0 {
			s = instantiate(rng, pat, vars)
		}
		p := compilePattern(pat, true, true, false)
		a := arnPattern{p: p, split: litColons(p) >= 5}
		got, want := a.match(s, r), arnRef(pat, s, vars)
		if got != want {
			t.Fatalf("ARN pattern %q on %q: got %v, reference %v", pat, s, got, want)
		}
		if want {
			checked++
		}
	}
	t.Logf("%d of 200000 cases match", checked)
	if checked < 100 {
		t.Fatalf("only %d matching cases generated; the test is too weak", checked)
	}
}

// instantiate returns a string the pattern would match if wildcards could
// cross colons: each * becomes a random run, each ? one character, each
// variable its value.
func instantiate(rng *rand.Rand, pat string, vars map[string]string) string {
	tmpl, err := policy.ParseTemplate(pat, true)
	if err != nil {
		return pat
	}
	alpha := "ab::"
	var b strings.Builder
	for _, p := range tmpl {
		switch p.Kind {
		case policy.PartVar:
			b.WriteString(vars[p.Text])
		case policy.PartEscape:
			b.WriteString(p.Text)
		default:
			for i := 0; i < len(p.Text); i++ {
				switch p.Text[i] {
				case '*':
					for n := rng.IntN(4); n > 0; n-- {
						b.WriteByte(alpha[rng.IntN(len(alpha))])
					}
				case '?':
					b.WriteByte(alpha[rng.IntN(len(alpha))])
				default:
					b.WriteByte(p.Text[i])
				}
			}
		}
	}
	return b.String()
}
