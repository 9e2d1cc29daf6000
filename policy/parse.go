package policy

import (
	"bytes"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Parse reads one policy document from JSON or YAML (same structure).
// The format is YAML when file ends in .yaml or .yml, JSON when it ends in
// .json, and otherwise JSON if the first non-space byte is '{'.
//
// JSON is read strictly (RFC 8259): no comments, trailing commas or single
// quotes, numbers kept as written. YAML has the same structure, with YAML's
// types: a bare 10 or true is a number or boolean, a quoted "10" a string,
// an unquoted date a string; keys must be strings; anchors and aliases are
// expanded within a bound; a file holds one document. Columns count bytes.
//
// All structural problems are reported at once, sorted: syntax errors,
// duplicate keys, wrong types, unknown elements, a bad Effect, an unknown
// condition operator, and exceeded limits (limits.go). Each finding has the
// file, line, column, JSON pointer and a stable code. The returned document
// is nil only when the input is not a JSON/YAML object at all; otherwise it
// holds every element that could be read. After a thousand findings the
// rest are summed up in one policy.too_many_findings.
func Parse(file string, data []byte) (*Document, Findings) {
	rep := &reporter{file: file}
	doc := parse(file, data, rep)
	rep.fs.Sort()
	return doc, rep.fs
}

// utf8BOM is the byte order mark some editors write at the start of UTF-8
// files. RFC 8259 section 8.1 lets a parser ignore it, and YAML allows it.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func parse(file string, data []byte, rep *reporter) *Document {
	// Check the size before reading anything, so that no work or memory
	// grows with an oversized input.
	if len(data) > MaxDocumentBytes {
		rep.errorf(Pos{}, "", CodeTooLarge,
			"the policy is %d bytes; at most %d bytes (1 MiB) are allowed: split it into several policies", len(data), MaxDocumentBytes)
		return nil
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		off := invalidUTF8Offset(data)
		rep.errorf(offsetPos(data, off), "", CodeSyntax,
			"invalid UTF-8 (byte 0x%02x): a policy must be UTF-8 text; re-save the file as UTF-8", data[off])
		return nil
	}
	format := detectFormat(file, data)
	var root node
	var ok bool
	if format == FormatYAML {
		root, ok = readYAML(data, rep)
	} else {
		root, ok = readJSON(data, rep)
	}
	if !ok {
		return nil
	}
	d := decoder{rep: rep, yaml: format == FormatYAML}
	return d.document(&root, &Document{File: file, Format: format})
}

// detectFormat decides whether data is JSON or YAML, by file extension and
// otherwise by its first non-space byte.
func detectFormat(file string, data []byte) Format {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".yaml", ".yml":
		return FormatYAML
	case ".json":
		return FormatJSON
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return FormatJSON
	}
	return FormatYAML
}

// invalidUTF8Offset returns the offset of the first byte of data that is
// not part of valid UTF-8.
func invalidUTF8Offset(data []byte) int {
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size <= 1 {
			return off
		}
		off += size
	}
	return len(data)
}

// offsetPos is the line and byte column of offset off in data.
func offsetPos(data []byte, off int) Pos {
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	lineStart := bytes.LastIndexByte(data[:off], '\n') + 1
	return Pos{Line: line, Col: off - lineStart + 1}
}
