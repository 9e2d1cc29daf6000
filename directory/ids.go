package directory

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on ids and values (see the package doc).
const (
	// MaxNameBytes bounds the names of policies, roles, role mappings,
	// claim rules, resource policies and boundaries (IAM allows 64 for role
	// names and 128 for policy names).
	MaxNameBytes = 128
	// MaxPrincipalIDBytes bounds user, app and group ids: an external
	// subject "<issuer>:<sub>" with an OIDC sub of up to 255 characters
	// fits.
	MaxPrincipalIDBytes = 512
	// MaxAttributeKeyBytes bounds an attribute name.
	MaxAttributeKeyBytes = 128
	// MaxClaimNameBytes bounds a claim rule's claim name (claim names can
	// be URLs: "https://app.example/roles").
	MaxClaimNameBytes = 256
	// MaxResourcePatternBytes bounds a resource policy's pattern (IAM's
	// ARNs are at most 2,048 characters).
	MaxResourcePatternBytes = 2048
	// MaxObjectBytes bounds one object's body. The server's request limit
	// (1 MiB by default) is usually lower.
	MaxObjectBytes = 2 << 20
	// MaxDescriptionBytes bounds a description.
	MaxDescriptionBytes = 4096
)

// isDynamicRole reports whether name is one of the four dynamic roles.
func isDynamicRole(name string) bool {
	switch name {
	case RoleEveryone, RoleAuthenticated, RoleUnauthenticated, RoleOwner:
		return true
	}
	return false
}

// checkName checks a policy, role mapping, claim rule, resource policy,
// boundary or issuer name; what names the thing in the message ("policy
// id").
func checkName(what, s string) error {
	if s == "" {
		return fmt.Errorf("%s is empty: give 1 to %d characters (letters, digits, _ . - @ : + = ,)", what, MaxNameBytes)
	}
	if len(s) > MaxNameBytes {
		return fmt.Errorf("%s is %d bytes long; at most %d are allowed", what, len(s), MaxNameBytes)
	}
	c := s[0]
	if !(isAlnum(c) || c == '_') {
		return fmt.Errorf("%s %s must start with a letter, a digit or _", what, quote(s))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isNameByte(c) {
			return fmt.Errorf("%s %s has %s at byte %d: use only letters, digits and _ . - @ : + = ,", what, quote(s), describeByte(s, i), i+1)
		}
	}
	return nil
}

// checkRoleName checks a role name: a name, or one of the dynamic roles.
func checkRoleName(what, s string) error {
	if strings.HasPrefix(s, "$") {
		if isDynamicRole(s) {
			return nil
		}
		return fmt.Errorf("%s %s starts with $, which only the dynamic roles %s, %s, %s and %s may: drop the $",
			what, quote(s), RoleEveryone, RoleAuthenticated, RoleUnauthenticated, RoleOwner)
	}
	return checkName(what, s)
}

// checkPrincipalID checks a user, app or group id.
func checkPrincipalID(what, s string) error {
	if s == "" {
		return fmt.Errorf("%s is empty", what)
	}
	if len(s) > MaxPrincipalIDBytes {
		return fmt.Errorf("%s is %d bytes long; at most %d are allowed", what, len(s), MaxPrincipalIDBytes)
	}
	if s == "." || s == ".." {
		return fmt.Errorf("%s %s cannot be used: it is a path segment of its own", what, quote(s))
	}
	return checkText(what, s, false)
}

// checkText checks that s is UTF-8 without control characters; free
// text (descriptions, claim values) may hold spaces, tabs and line breaks,
// other text no white space at all.
func checkText(what, s string, free bool) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return fmt.Errorf("%s is not valid UTF-8 (at byte %d)", what, i+1)
			}
		case free && (r == ' ' || r == '\t' || r == '\n' || r == '\r'):
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return fmt.Errorf("%s %s has %s at byte %d: remove it", what, quote(s), strconv.QuoteRune(r), i+1)
		}
	}
	return nil
}

// checkPattern checks a resource pattern: UTF-8 without control
// characters (spaces are allowed: object keys may hold them).
func checkPattern(what, s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return fmt.Errorf("%s is not valid UTF-8 (at byte %d)", what, i+1)
			}
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("%s %s has %s at byte %d: remove it", what, quote(s), strconv.QuoteRune(r), i+1)
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isNameByte(c byte) bool {
	if isAlnum(c) {
		return true
	}
	switch c {
	case '_', '.', '-', '@', ':', '+', '=', ',':
		return true
	}
	return false
}

// describeByte names the character at s[i] for a message.
func describeByte(s string, i int) string {
	r, _ := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError {
		return fmt.Sprintf("byte 0x%02x", s[i])
	}
	return strconv.QuoteRune(r)
}

// maxQuoted is how much of a value a message quotes.
const maxQuoted = 64

// quote quotes s for a message, cut to about maxQuoted bytes.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// compareIDs orders ids: ids of digits only first, numerically (so role
// mapping "9" comes before "10"), then the others bytewise.
func compareIDs(a, b string) int {
	da, db := allDigits(a), allDigits(b)
	switch {
	case da && db:
		ta, tb := strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(ta) != len(tb) {
			if len(ta) < len(tb) {
				return -1
			}
			return 1
		}
		if c := strings.Compare(ta, tb); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	case da:
		return -1
	case db:
		return 1
	}
	return strings.Compare(a, b)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
