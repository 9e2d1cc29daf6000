package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// b64 is the PHC string format's base64: the standard alphabet, no
// padding, and (Strict) no stray bits, so each value has one spelling.
var b64 = base64.RawStdEncoding.Strict()

// encode writes $argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>.
func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argonVersion, p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// argonVersion is the only argon2 version accepted: 0x13, as x/crypto/argon2
// computes it.
const argonVersion = 19

// decode parses a stored hash strictly. Its errors name the part that is
// wrong and never quote the salt or hash.
func decode(encoded string) (p Params, salt, key []byte, err error) {
	bad := func(format string, args ...any) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, fmt.Sprintf(format, args...))
	}
	if encoded == "" {
		return bad("empty")
	}
	if len(encoded) > maxEncodedBytes {
		return bad("%d bytes, more than %d", len(encoded), maxEncodedBytes)
	}
	parts := strings.Split(encoded, "$")
	if parts[0] != "" || len(parts) < 2 {
		return bad("not in the PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash)")
	}
	switch parts[1] {
	case "argon2id":
	case "argon2i", "argon2d":
		return bad("%s is not accepted, only argon2id", parts[1])
	default:
		return bad("not an argon2id hash")
	}
	if len(parts) != 6 {
		return bad("%d $-separated fields, want 5 ($argon2id$v=19$m=…,t=…,p=…$salt$hash)", len(parts)-1)
	}
	if parts[2] != "v="+strconv.Itoa(argonVersion) {
		return bad("version field must be v=%d", argonVersion)
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return bad("parameters must be exactly m=…,t=…,p=… in that order")
	}
	var vals [3]uint64
	for i, name := range [3]string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return bad("parameters must be exactly m=…,t=…,p=… in that order")
		}
		n, err := decimal(v)
		if err != nil {
			return bad("parameter %s: %v", name, err)
		}
		vals[i] = n
	}
	m, t, par := vals[0], vals[1], vals[2]
	switch {
	case par < 1 || par > MaxParallelism:
		return bad("parallelism p=%d is outside 1 to %d", par, MaxParallelism)
	case t < 1 || t > MaxIterations:
		return bad("iterations t=%d is outside 1 to %d", t, MaxIterations)
	case m < 8*par || m > MaxMemoryKiB:
		return bad("memory m=%d KiB is outside %d (8 per lane) to %d", m, 8*par, MaxMemoryKiB)
	}
	salt, err = b64.DecodeString(parts[4])
	if err != nil {
		return bad("salt is not unpadded standard base64")
	}
	if len(salt) < MinSaltBytes || len(salt) > MaxSaltBytes {
		return bad("salt of %d bytes, want %d to %d", len(salt), MinSaltBytes, MaxSaltBytes)
	}
	key, err = b64.DecodeString(parts[5])
	if err != nil {
		return bad("hash is not unpadded standard base64")
	}
	if len(key) < MinKeyBytes || len(key) > MaxKeyBytes {
		return bad("hash of %d bytes, want %d to %d", len(key), MinKeyBytes, MaxKeyBytes)
	}
	return Params{
		Memory: uint32(m), Iterations: uint32(t), Parallelism: uint8(par),
		SaltBytes: uint32(len(salt)), KeyBytes: uint32(len(key)),
	}, salt, key, nil
}

// decimal parses a PHC decimal: digits only, no sign, no leading zero.
func decimal(s string) (uint64, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	if len(s) > 10 {
		return 0, errors.New("too large")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not a decimal number")
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, errors.New("leading zero")
	}
	return strconv.ParseUint(s, 10, 64)
}
