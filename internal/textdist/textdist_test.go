package textdist

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"", "", 3, 0},
		{"roles", "roles", 3, 0},
		{"role", "roles", 3, 1},
		{"Statment", "Statement", 3, 1},
		{"GetObject", "GteObject", 3, 1}, // one transposition
		{"GetObject", "PutObject", 3, 2},
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3}, // gives up above the limit
		{"a", "abcdefgh", 2, 3},
		{"café", "cafe", 3, 1}, // runes, not bytes
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("Distance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}
