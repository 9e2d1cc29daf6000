//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package sqlite

// lockDir does nothing where flock(2) is missing: running two gatehouse
// processes on one data directory is then the operator's mistake to avoid.
func lockDir(dir string) (unlock func() error, err error) {
	return func() error { return nil }, nil
}
