//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockName is the file whose lock marks a data directory as in use.
const lockName = "gatehouse.lock"

// lockDir takes an exclusive lock on dir for this process: two gatehouse
// processes on one SQLite database would each serve from their own memory
// without learning of the other's writes. The kernel drops the lock when
// the process dies, so a crash never leaves a stale lock.
func lockDir(dir string) (unlock func() error, err error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("sqlite: data directory %s is in use by another gatehouse (or another Open in this process)", dir)
		}
		return nil, fmt.Errorf("sqlite: lock data directory: %w", err)
	}
	return f.Close, nil
}
