package mint

import (
	"errors"
	"fmt"
	"time"
)

// Token lifetimes. The assume-role bounds follow AWS STS AssumeRole
// (DurationSeconds from 900 s up to the role's MaxSessionDuration, 3600 s
// when not given; MaxSessionDuration 1 to 12 hours, 1 hour by default),
// except that a role's maximum may be set as low as 15 minutes here.
const (
	// MinSessionDuration is the shortest assume-role session (AWS: 900 s).
	MinSessionDuration = 15 * time.Minute
	// MaxSessionDuration is the longest assume-role session and the
	// highest a role's maximum may be set (AWS: 43200 s).
	MaxSessionDuration = 12 * time.Hour
	// DefaultSessionDuration is an assume-role session's length when the
	// request names none (AWS: 3600 s), cut to the role's maximum.
	DefaultSessionDuration = time.Hour
	// DefaultRoleMaxSessionDuration is a role's maximum session length when
	// the role sets none (AWS MaxSessionDuration default: 1 hour).
	DefaultRoleMaxSessionDuration = time.Hour
	// DefaultTokenTTL is the lifetime of a token from the token endpoint
	// (password, client_credentials, token exchange).
	DefaultTokenTTL = time.Hour
)

// ErrDuration reports a session duration or role maximum out of bounds.
var ErrDuration = errors.New("mint: session duration")

// SessionDuration returns the length of an assume-role session: requested
// when it is given (non-zero), DefaultSessionDuration cut to the role's
// maximum when not. roleMax is the role's maximum session length, zero for
// DefaultRoleMaxSessionDuration. As in AWS, a requested duration above the
// role's maximum is an error, not silently shortened. Errors wrap
// ErrDuration.
func SessionDuration(requested, roleMax time.Duration) (time.Duration, error) {
	if roleMax == 0 {
		roleMax = DefaultRoleMaxSessionDuration
	}
	if err := CheckRoleMaxSessionDuration(roleMax); err != nil {
		return 0, err
	}
	switch {
	case requested == 0:
		return min(DefaultSessionDuration, roleMax), nil
	case requested < MinSessionDuration:
		return 0, fmt.Errorf("%w: %s is shorter than the minimum %s (duration_seconds %d)",
			ErrDuration, requested, MinSessionDuration, int64(MinSessionDuration/time.Second))
	case requested > roleMax:
		return 0, fmt.Errorf("%w: %s is longer than this role's maximum %s (duration_seconds %d)",
			ErrDuration, requested, roleMax, int64(roleMax/time.Second))
	}
	return requested, nil
}

// CheckRoleMaxSessionDuration checks a role's maximum session length:
// from MinSessionDuration to MaxSessionDuration. Zero, meaning
// DefaultRoleMaxSessionDuration, is accepted.
func CheckRoleMaxSessionDuration(d time.Duration) error {
	if d == 0 {
		return nil
	}
	if d < MinSessionDuration || d > MaxSessionDuration {
		return fmt.Errorf("%w: a role's maximum session length must be from %s to %s (%d to %d seconds), not %s",
			ErrDuration, MinSessionDuration, MaxSessionDuration,
			int64(MinSessionDuration/time.Second), int64(MaxSessionDuration/time.Second), d)
	}
	return nil
}
