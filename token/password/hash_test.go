package password

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// Hashes made by the reference implementation's command-line tool
// (P-H-C/phc-winner-argon2, `argon2 SALT -id -t T -k M -p P -l L -e`), so
// that Verify is checked against argon2id itself and not only against Hash.
var referenceVectors = []struct {
	password, encoded string
	rehash            bool
}{
	{"correct horse battery", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$iPOQ5f2O21FsjnBvo1AiFcDuSXciCnKUrXFO+yfgNoM", false},
	{"pässwörd 🔑", "$argon2id$v=19$m=4096,t=3,p=2$MDEyMzQ1Njc4OWFiY2RlZg$4G8zA60MkP8m4DX7gKz5wQ", true},
	{"password", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", true},
}

func TestVerifyReferenceVectors(t *testing.T) {
	for _, v := range referenceVectors {
		t.Run(v.password, func(t *testing.T) {
			ok, rehash, err := Verify(v.password, v.encoded)
			if err != nil || !ok || rehash != v.rehash {
				t.Fatalf("Verify = %v, %v, %v; want true, %v, nil", ok, rehash, err, v.rehash)
			}
			ok, _, err = Verify(v.password+"x", v.encoded)
			if err != nil || ok {
				t.Fatalf("a wrong password: %v, %v", ok, err)
			}
		})
	}
}

var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashVerify(t *testing.T) {
	const pw = "correct horse battery staple"
	h, err := Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !phc.MatchString(h) {
		t.Errorf("Hash = %s, not the PHC form with OWASP's parameters", h)
	}
	if strings.Contains(h, pw) {
		t.Error("the hash contains the password")
	}
	h2, _ := Hash(pw)
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name     string
		password string
		ok       bool
	}{
		{"right", pw, true},
		{"wrong", "correct horse battery stapler", false},
		{"case differs", "Correct horse battery staple", false},
		{"empty", "", false},
		{"prefix", pw[:8], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := Verify(tt.password, h)
			if err != nil || ok != tt.ok || rehash {
				t.Errorf("Verify = %v, %v, %v; want %v, false, nil", ok, rehash, err, tt.ok)
			}
		})
	}
	p, err := Parse(h)
	if err != nil || p != CurrentParams() {
		t.Errorf("Parse = %+v, %v; want %+v", p, err, CurrentParams())
	}
}

func TestNewPasswordRules(t *testing.T) {
	tests := []struct {
		name     string
		password string
		err      error
	}{
		{"8 ASCII characters", "abcdefgh", nil},
		{"7 characters", "abcdefg", ErrTooShort},
		{"8 characters in 16 bytes", "ääääääää", nil},
		{"7 characters in 14 bytes", "äääääää", ErrTooShort},
		{"empty", "", ErrTooShort},
		{"spaces count", "        ", nil},
		{"1024 bytes", strings.Repeat("a", MaxBytes), nil},
		{"1025 bytes", strings.Repeat("a", MaxBytes+1), ErrTooLong},
		{"not UTF-8", "abcdefgh\xff", ErrNotUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckNew(tt.password); !errors.Is(err, tt.err) {
				t.Fatalf("CheckNew: %v, want %v", err, tt.err)
			}
			if tt.err == nil {
				return // Hash of accepted passwords is covered by TestHashVerify
			}
			h, err := Hash(tt.password)
			if !errors.Is(err, tt.err) || h != "" {
				t.Errorf("Hash = %q, %v; want %v", h, err, tt.err)
			}
		})
	}
}

func TestVerifyTooLong(t *testing.T) {
	h := referenceVectors[2].encoded
	if ok, _, err := Verify(strings.Repeat("a", MaxBytes+1), h); ok || !errors.Is(err, ErrTooLong) {
		t.Errorf("Verify of a long password: %v, %v", ok, err)
	}
	// Verify does not apply the minimum: an old short password still works.
	if ok, _, err := Verify("password", h); !ok || err != nil {
		t.Errorf("a short stored password: %v, %v", ok, err)
	}
}

func TestParseRefuses(t *testing.T) {
	const salt, hash = "c29tZXNhbHQ", "cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70"
	tests := []struct {
		name, encoded, want string
	}{
		{"empty", "", "empty"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "not an argon2id hash"},
		{"plain text", "hunter2", "not in the PHC string format"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + hash, "argon2i is not accepted"},
		{"argon2d", "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + hash, "argon2d is not accepted"},
		{"no version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + hash, "4 $-separated fields"},
		{"version 16", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + hash, "v=19"},
		{"extra field", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash + "$x", "6 $-separated fields"},
		{"parameters reordered", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + hash, "in that order"},
		{"keyid parameter", "$argon2id$v=19$m=64,t=1,p=1,keyid=abc$" + salt + "$" + hash, "exactly m"},
		{"missing p", "$argon2id$v=19$m=64,t=1$" + salt + "$" + hash, "exactly m"},
		{"signed number", "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + hash, "parameter m: not a decimal"},
		{"leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + hash, "leading zero"},
		{"empty number", "$argon2id$v=19$m=,t=1,p=1$" + salt + "$" + hash, "parameter m: empty"},
		{"huge number", "$argon2id$v=19$m=99999999999999,t=1,p=1$" + salt + "$" + hash, "too large"},
		{"gigabytes of memory", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + hash, "memory m=4194304"},
		{"memory below 8 per lane", "$argon2id$v=19$m=15,t=1,p=2$" + salt + "$" + hash, "memory m=15"},
		{"too many iterations", "$argon2id$v=19$m=64,t=11,p=1$" + salt + "$" + hash, "iterations t=11"},
		{"zero iterations", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + hash, "iterations t=0"},
		{"too many lanes", "$argon2id$v=19$m=1024,t=1,p=9$" + salt + "$" + hash, "parallelism p=9"},
		{"zero lanes", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + hash, "parallelism p=0"},
		{"padded salt", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "=$" + hash, "salt is not unpadded"},
		{"url-safe salt", "$argon2id$v=19$m=64,t=1,p=1$c29t-XNhbHQ$" + hash, "salt is not unpadded"},
		{"non-canonical salt bits", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHR$" + hash, "salt is not unpadded"},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$c29tZQ$" + hash, "salt of 4 bytes"},
		{"short hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$cpx6VEQbwTVZvcpx", "hash of 12 bytes"},
		{"hash not base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$cpx6VEQb!TVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", "hash is not unpadded"},
		{"too long", "$argon2id$v=19$m=64,t=1,p=1$" + strings.Repeat("A", 300) + "$" + hash, "more than 256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.encoded)
			if !errors.Is(err, ErrMalformedHash) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrMalformedHash containing %q", err, tt.want)
			}
			ok, rehash, verr := Verify("password", tt.encoded)
			if ok || rehash || verr == nil || verr.Error() != err.Error() {
				t.Errorf("Verify = %v, %v, %v; want the Parse error", ok, rehash, verr)
			}
			// Errors never carry the stored salt or hash.
			for _, secret := range []string{salt, hash, "c29t", "cpx6"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error quotes the stored hash: %v", err)
				}
			}
		})
	}
}

func TestVerifyUnknownUser(t *testing.T) {
	VerifyUnknownUser("whatever password")        // does the work, matches nothing, no panic
	VerifyUnknownUser(strings.Repeat("a", 1<<20)) // refused before hashing
}

func BenchmarkHash(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h, err := Hash("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, err := Verify("correct horse battery staple", h); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
