package engine

import "testing"

// Wildcard semantics from the IAM User Guide, "IAM JSON policy elements:
// Resource" and "Action": * matches any run of characters (including / and
// :), ? exactly one; actions compare case-insensitively.
func TestPatternMatch(t *testing.T) {
	r := &Request{Context: map[string]Values{"aws:username": {"alice"}, "multi": {"a", "b"}}}
	tests := []struct {
		pat        string
		wild, fold bool
		s          string
		want       bool
	}{
		{"s3:Get*", true, true, "s3:getobject", true},
		{"s3:Get*", true, false, "s3:getobject", false},
		{"arn:aws:s3:::bucket/*", true, false, "arn:aws:s3:::bucket/a/b", true},
		{"arn:aws:s3:::bucket/*", true, false, "arn:aws:s3:::bucket", false},
		{"a?c", true, false, "abc", true},
		{"a?c", true, false, "ac", false},
		{"a?c", true, false, "aéc", true},
		{"*", true, false, "", true},
		{"a*b*c", true, false, "axxbyybc", true},
		{"a*b*c", true, false, "axxbyyb", false},
		{"home/${aws:username}/*", true, false, "home/alice/x", true},
		{"home/${aws:username}/*", true, false, "home/bob/x", false},
		{"home/${missing}/*", true, false, "home//x", false},
		{"home/${missing, 'anon'}/*", true, false, "home/anon/x", true},
		{"home/${multi}/*", true, false, "home/a/x", false},
		{"lit${*}", true, false, "lit*", true},
		{"lit${*}", true, false, "litx", false},
		{"a*", false, false, "a*", true},
		{"a*", false, false, "ab", false},
	}
	for _, tt := range tests {
		p := compilePattern(tt.pat, tt.wild, true, tt.fold)
		if got := p.match(tt.s, r); got != tt.want {
			t.Errorf("%q (wild=%v fold=%v) match %q = %v, want %v", tt.pat, tt.wild, tt.fold, tt.s, got, tt.want)
		}
	}
}
