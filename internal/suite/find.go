package suite

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Suffixes are the endings of suite file names.
var Suffixes = []string{"_test.yaml", "_test.yml", "_test.json"}

// IsSuiteFile reports whether name is a suite file's name.
func IsSuiteFile(name string) bool {
	for _, s := range Suffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// Find returns the suite files that paths name: a file as it is (whatever
// its name), a directory searched recursively for suite files. As the go
// tool does, the search skips directories named testdata or starting with
// '.' or '_' (name one explicitly to search it). The result is sorted and
// without duplicates.
func Find(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				name := d.Name()
				if path != p && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
					return filepath.SkipDir
				}
				return nil
			}
			if IsSuiteFile(d.Name()) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("searching %s: %w", p, err)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
