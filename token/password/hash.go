package password

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Length limits of a password.
const (
	// MinLength is the fewest characters (code points) a new password may
	// have: NIST SP 800-63B's minimum for a memorized secret. Deployments
	// without a second factor may want more (SP 800-63B-4 asks 15 for a
	// password used alone); this is the floor.
	MinLength = 8
	// MaxBytes is the most bytes a password may have, new or offered at
	// login; longer input is refused before any hashing.
	MaxBytes = 1024
)

// Bounds on the parameters of a stored hash. A hash outside them is refused
// by Verify without any work: they keep a tampered or foreign hash from
// making one login allocate gigabytes or run for seconds.
const (
	// MaxMemoryKiB is the largest memory cost accepted: 64 MiB, RFC 9106's
	// second recommended setting.
	MaxMemoryKiB = 64 * 1024
	// MaxIterations is the largest time cost accepted.
	MaxIterations = 10
	// MaxParallelism is the largest number of lanes accepted.
	MaxParallelism = 8
	// MinSaltBytes and MaxSaltBytes bound the salt (PHC: 8 bytes or more).
	MinSaltBytes, MaxSaltBytes = 8, 64
	// MinKeyBytes and MaxKeyBytes bound the derived hash.
	MinKeyBytes, MaxKeyBytes = 16, 64
	// maxEncodedBytes bounds the encoded string: the longest salt and hash
	// with the largest parameters fit in well under this.
	maxEncodedBytes = 256
)

// Params are argon2id's cost parameters and output sizes.
type Params struct {
	// Memory is m, in KiB.
	Memory uint32
	// Iterations is t.
	Iterations uint32
	// Parallelism is p, the number of lanes.
	Parallelism uint8
	// SaltBytes and KeyBytes are the lengths of the salt and derived hash.
	SaltBytes, KeyBytes uint32
}

// current are the parameters Hash uses; see CurrentParams.
var current = Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltBytes: 16, KeyBytes: 32}

// CurrentParams returns the parameters Hash uses: the OWASP Password Storage
// Cheat Sheet's argon2id "minimum configuration of 19 MiB of memory, an
// iteration count of 2, and 1 degree of parallelism", a 16-byte salt and a
// 32-byte hash. Verify asks for a rehash of any stored hash made otherwise.
func CurrentParams() Params { return current }

// Errors callers branch on. Their messages never include the password, the
// hash or the salt.
var (
	// ErrTooShort reports a new password with fewer than MinLength characters.
	ErrTooShort = fmt.Errorf("password: shorter than %d characters", MinLength)
	// ErrTooLong reports a password of more than MaxBytes bytes.
	ErrTooLong = fmt.Errorf("password: longer than %d bytes", MaxBytes)
	// ErrNotUTF8 reports a new password that is not valid UTF-8.
	ErrNotUTF8 = errors.New("password: not valid UTF-8")
	// ErrMalformedHash reports a stored hash Verify cannot use; the wrapped
	// message says what is wrong with it.
	ErrMalformedHash = errors.New("password: stored hash")
)

// slots bounds the argon2 derivations running at once, and so the memory
// they hold: each takes Memory KiB until it returns.
var slots = make(chan struct{}, min(max(runtime.GOMAXPROCS(0), 2), 8))

// derive runs argon2id under the concurrency bound.
func derive(password string, salt []byte, p Params) []byte {
	slots <- struct{}{}
	defer func() { <-slots }()
	return argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyBytes)
}

// CheckNew reports whether password may be set as a new password: valid
// UTF-8, at least MinLength characters, at most MaxBytes bytes. It returns
// ErrNotUTF8, ErrTooShort, ErrTooLong or nil.
func CheckNew(password string) error {
	switch {
	case len(password) > MaxBytes:
		return ErrTooLong
	case !utf8.ValidString(password):
		return ErrNotUTF8
	case utf8.RuneCountInString(password) < MinLength:
		return ErrTooShort
	}
	return nil
}

// Hash returns the PHC-encoded argon2id hash of a new password with
// CurrentParams and a fresh random salt. It refuses what CheckNew refuses.
// It takes tens of milliseconds by design.
func Hash(password string) (string, error) {
	if err := CheckNew(password); err != nil {
		return "", err
	}
	salt := make([]byte, current.SaltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading a random salt: %w", err)
	}
	return encode(current, salt, derive(password, salt, current)), nil
}

// Verify reports whether password matches the stored hash encoded, and, when
// it does, whether encoded was made with other parameters than CurrentParams
// (needsRehash: store Hash(password) in its place). A wrong password is
// (false, false, nil). A password over MaxBytes is ErrTooLong and a stored
// hash that does not parse or is out of bounds wraps ErrMalformedHash; both
// are refused before any hashing.
func Verify(password, encoded string) (ok, needsRehash bool, err error) {
	if len(password) > MaxBytes {
		return false, false, ErrTooLong
	}
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got := derive(password, salt, p)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != current, nil
}

// dummySalt is the salt VerifyUnknownUser derives with.
var dummySalt = make([]byte, 16)

// VerifyUnknownUser does the work of a Verify against a hash with the current
// parameters, and matches nothing. Call it when a login names a user who
// does not exist (or has no password), so that the answer takes as long as
// a wrong password for a real user and does not reveal which users exist.
func VerifyUnknownUser(password string) {
	if len(password) > MaxBytes {
		return // Verify refuses these before hashing, too
	}
	_ = derive(password, dummySalt, current)
}

// Parse checks a stored hash as Verify would and returns its parameters.
// Errors wrap ErrMalformedHash.
func Parse(encoded string) (Params, error) {
	p, _, _, err := decode(encoded)
	return p, err
}
