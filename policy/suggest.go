package policy

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"gatehouse.dev/gatehouse/internal/textdist"
)

// maxQuoted is how many bytes of a value a message quotes before eliding
// the rest, so that a huge key does not make a huge message.
const maxQuoted = 64

// quoteShort quotes s for a message, cut to about maxQuoted bytes.
func quoteShort(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// suggestName returns the name in known that s was probably meant to be:
// one equal to it ignoring case, or else one within a small edit distance
// ("Statment", "Actions"), or "" when nothing is close.
func suggestName(s string, known []string) string {
	for _, k := range known {
		if strings.EqualFold(s, k) {
			return k
		}
	}
	if len(s) > 2*maxQuoted {
		return ""
	}
	best, bestDist := "", 3
	for _, k := range known {
		limit := 2
		if len(k) <= 4 {
			limit = 1
		}
		if d := textdist.Distance(strings.ToLower(s), strings.ToLower(k), limit); d <= limit && d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}
