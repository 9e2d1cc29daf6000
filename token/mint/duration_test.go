package mint

import (
	"errors"
	"testing"
	"time"
)

// The cases follow AWS STS AssumeRole DurationSeconds: "can range from 900
// seconds (15 minutes) up to the maximum session duration set for the role
// … If you specify a value higher than this setting …, the operation
// fails … By default, the value is set to 3600 seconds", and IAM
// MaxSessionDuration: "the default value of one hour is applied … from 1
// hour to 12 hours" (gatehouse lets a role go down to 15 minutes).
func TestSessionDuration(t *testing.T) {
	const h, m = time.Hour, time.Minute
	tests := []struct {
		name               string
		requested, roleMax time.Duration
		want               time.Duration
		err                bool
	}{
		{"default for a default role", 0, 0, h, false},
		{"default cut to a short role maximum", 0, 30 * m, 30 * m, false},
		{"default below a long role maximum", 0, 12 * h, h, false},
		{"minimum 900 s", 15 * m, 0, 15 * m, false},
		{"below the minimum fails", 15*m - time.Second, 0, 0, true},
		{"negative fails", -h, 0, 0, true},
		{"up to the default role maximum", h, 0, h, false},
		{"above the default role maximum fails", h + time.Second, 0, 0, true},
		{"12 hours for a 12-hour role", 12 * h, 12 * h, 12 * h, false},
		{"12 hours for a 6-hour role fails", 12 * h, 6 * h, 0, true},
		{"role maximum above 12 hours is refused", h, 13 * h, 0, true},
		{"role maximum below 15 minutes is refused", 0, 10 * m, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SessionDuration(tt.requested, tt.roleMax)
			if tt.err {
				if !errors.Is(err, ErrDuration) {
					t.Fatalf("err = %v, want ErrDuration", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %s, %v; want %s", got, err, tt.want)
			}
			if got > MaxTokenLifetime {
				t.Errorf("a session of %s outlives MaxTokenLifetime", got)
			}
		})
	}
}

func TestCheckRoleMaxSessionDuration(t *testing.T) {
	for d, ok := range map[time.Duration]bool{
		0: true, 15 * time.Minute: true, time.Hour: true, 12 * time.Hour: true,
		time.Minute: false, 12*time.Hour + time.Second: false, -time.Hour: false,
	} {
		if err := CheckRoleMaxSessionDuration(d); (err == nil) != ok {
			t.Errorf("CheckRoleMaxSessionDuration(%s) = %v", d, err)
		}
	}
}
