package cli

import (
	"errors"
	"fmt"
	"strings"
)

// fileList is a repeatable flag of file names.
type fileList []string

func (l *fileList) String() string { return strings.Join(*l, ", ") }

func (l *fileList) Set(s string) error {
	if s == "" {
		return errors.New("empty file name")
	}
	*l = append(*l, s)
	return nil
}

// format is the --format flag: json or text, remembering whether it was
// given.
type format struct {
	value string
	set   bool
}

func (f *format) String() string { return f.value }

func (f *format) Set(s string) error {
	if s != "json" && s != "text" {
		return fmt.Errorf("%q is not a format: use json or text", s)
	}
	f.value, f.set = s, true
	return nil
}

// or returns the format given, or def when none was.
func (f *format) or(def string) string {
	if f.set {
		return f.value
	}
	return def
}
