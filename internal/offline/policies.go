package offline

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
)

// Spec names one policy file to load.
type Spec struct {
	// Path is where to read the file; findings name it.
	Path string
	// Name is the policy's name in decisions ("file" of a statement);
	// Path when empty.
	Name string
	Kind policy.Kind
}

// Load reads and validates every policy file, returning the policies, all
// findings (warnings too, for the caller to show) and an error when a file
// cannot be read or any finding is an error. Several boundary (or session)
// files make one boundary (session policy) of several documents, as the
// engine combines policies of one kind.
func Load(specs []Spec) ([]engine.Policy, policy.Findings, error) {
	var (
		pols []engine.Policy
		all  policy.Findings
	)
	for _, s := range specs {
		data, err := ReadFile(s.Path, policy.MaxDocumentBytes)
		if err != nil {
			return nil, all, err
		}
		doc, fs := policy.Load(s.Path, data, s.Kind)
		all = append(all, fs...)
		if doc == nil || fs.HasErrors() {
			continue
		}
		name := s.Name
		if name == "" {
			name = s.Path
		}
		pols = append(pols, engine.Policy{Name: name, Kind: s.Kind, Doc: doc})
	}
	if errs := all.Errors(); len(errs) > 0 {
		var files []string
		for _, f := range errs {
			if !slices.Contains(files, f.File) {
				files = append(files, f.File)
			}
		}
		noun := "errors"
		if len(errs) == 1 {
			noun = "error"
		}
		return nil, all, fmt.Errorf("invalid policy: %d %s in %s", len(errs), noun, strings.Join(files, ", "))
	}
	return pols, all, nil
}

// Compile loads specs and compiles them into an engine.
func Compile(specs []Spec) (*engine.Engine, policy.Findings, error) {
	pols, fs, err := Load(specs)
	if err != nil {
		return nil, fs, err
	}
	e, err := engine.Compile(pols)
	if err != nil {
		return nil, fs, fmt.Errorf("compiling policies: %w", err)
	}
	return e, fs, nil
}

// ReadFile reads a file of at most limit bytes ("-" is standard input,
// read by ReadStdin instead). A larger file is an error that says so,
// without reading all of it.
func ReadFile(path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, path, limit)
}

// ReadAll reads r, named name in errors, up to limit bytes.
func ReadAll(r io.Reader, name string, limit int) ([]byte, error) {
	return readLimited(r, name, limit)
}

func readLimited(r io.Reader, name string, limit int) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%s: larger than the limit of %d bytes", name, limit)
	}
	return data, nil
}
