package token

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxQuoted bounds a value taken from a token or a document when it is
// quoted in a message, so that an attacker's claim cannot flood a log.
const maxQuoted = 100

// short quotes s for a message, cut to maxQuoted bytes.
func short(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// quoteList quotes each of ss with short, joined by ", ", at most n of them.
func quoteList(ss []string, n int) string {
	var b strings.Builder
	for i, s := range ss {
		if i == n {
			fmt.Fprintf(&b, ", and %d more", len(ss)-n)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(short(s))
	}
	return b.String()
}

// human formats a duration for a person: "3m", "3m20s", "2h5m", "4d3h",
// "45s", "0s"; rounded to seconds, at most two units.
func human(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	s := int64(d.Round(time.Second) / time.Second)
	units := []struct {
		n    int64
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}}
	var b strings.Builder
	parts := 0
	for _, u := range units {
		if s >= u.n && parts < 2 {
			fmt.Fprintf(&b, "%d%s", s/u.n, u.name)
			s %= u.n
			parts++
		} else if parts > 0 {
			parts = 2 // only adjacent units: "1d3s" would mislead
		}
	}
	if b.Len() == 0 {
		return "0s"
	}
	return b.String()
}

// stamp formats an instant in UTC, to the second (RFC 3339).
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// seconds formats a leeway as "60s".
func seconds(d time.Duration) string {
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}
