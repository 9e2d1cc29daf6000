// Package password keeps local users' passwords (issue 4, item 5): argon2id
// hashes in the PHC string format, and the throttling of failed logins.
//
// # Hashes
//
// [Hash] derives a 32-byte argon2id key (golang.org/x/crypto/argon2) from
// the password and a 16-byte random salt with the parameters OWASP's
// Password Storage Cheat Sheet gives as its first choice (m = 19 MiB =
// 19456 KiB, t = 2, p = 1), and encodes it as
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// (salt and hash in standard base64 without padding, as the PHC string
// format says). [Verify] recomputes and compares in constant time, and
// reports when a stored hash was made with other parameters so the caller
// can store a fresh [Hash] after a successful login. The parser is strict:
// argon2id and version 19 only, the parameters in the order m, t, p, plain
// decimal numbers, canonical base64, and bounds ([MaxMemoryKiB],
// [MaxIterations], [MaxParallelism], salt and hash lengths) so that a
// stored hash cannot make the server allocate more than 64 MiB or work for
// seconds. At most a few derivations run at once (GOMAXPROCS, from 2 to
// 8); the others wait, which bounds memory under a flood of logins to that
// many times 19 MiB.
//
// A new password ([Hash], [CheckNew]) is valid UTF-8 of at least
// [MinLength] (8) characters, counted as Unicode code points as NIST SP
// 800-63B counts them, and at most [MaxBytes] (1024) bytes. They are used
// as given: no trimming, no Unicode normalization, no composition rules.
// [Verify] takes any bytes up to MaxBytes, so a change of the minimum never
// locks out an older password.
//
// No function of this package logs, and no error carries the password, the
// hash or the salt.
//
// # Throttling
//
// [Throttle] slows down password guessing, per user name and per client
// address, in memory only (see its doc comment for what that means across
// a restart and across replicas).
package password
