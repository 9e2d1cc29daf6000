package directory

import "strings"

// maxGlobBytes bounds the patterns globsMeet compares exactly; longer ones
// are assumed to meet (the warning errs on the side of speaking).
const maxGlobBytes = 1024

// globsMeet reports whether two IAM patterns ('*' any run, '?' any one
// character) can match a common string. Policy variables ("${aws:username}")
// count as '*'. With fold, letters compare case-insensitively (actions).
func globsMeet(a, b string, fold bool) bool {
	a, b = varsAsStar(a), varsAsStar(b)
	if len(a) > maxGlobBytes || len(b) > maxGlobBytes {
		return true
	}
	if fold {
		a, b = strings.ToLower(a), strings.ToLower(b)
	}
	// memo[i*(len(b)+1)+j]: 0 unknown, 1 meet, 2 do not.
	memo := make([]uint8, (len(a)+1)*(len(b)+1))
	var meet func(i, j int) bool
	meet = func(i, j int) bool {
		k := i*(len(b)+1) + j
		if memo[k] != 0 {
			return memo[k] == 1
		}
		var ok bool
		switch {
		case i == len(a) && j == len(b):
			ok = true
		case i < len(a) && a[i] == '*':
			ok = meet(i+1, j) || (j < len(b) && meet(i, j+1))
		case j < len(b) && b[j] == '*':
			ok = meet(i, j+1) || (i < len(a) && meet(i+1, j))
		case i == len(a) || j == len(b):
			ok = false
		default:
			ok = (a[i] == '?' || b[j] == '?' || a[i] == b[j]) && meet(i+1, j+1)
		}
		memo[k] = 2
		if ok {
			memo[k] = 1
		}
		return ok
	}
	return meet(0, 0)
}

// globMatch reports whether the pattern matches s exactly.
func globMatch(pat, s string) bool {
	if !strings.ContainsAny(pat, "*?") {
		return pat == s
	}
	return globsMeet(pat, escapeGlob(s), false)
}

// escapeGlob makes s a pattern matching only itself, for globsMeet; s has
// no '*' or '?' in role names, so it is returned as is when it has none.
func escapeGlob(s string) string {
	if strings.ContainsAny(s, "*?") {
		// Cannot be expressed; a name with '*' cannot be a role anyway.
		return "\x00"
	}
	return s
}

// varsAsStar replaces each "${...}" with '*'.
func varsAsStar(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteByte('*')
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}
