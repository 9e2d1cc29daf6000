package policy

// This file holds the package's entry points. Parse lives in parse.go,
// Validate in validate.go, marshalling in marshal.go.

// Load parses data and validates it as a policy of the given kind, returning
// the document and all findings (errors and warnings), sorted. The document
// is nil only when the input could not be read as a policy at all.
func Load(file string, data []byte, kind Kind) (*Document, Findings) {
	doc, fs := Parse(file, data)
	if doc != nil && !fs.HasErrors() {
		fs = append(fs, Validate(doc, kind)...)
	}
	fs.Sort()
	return doc, fs
}
