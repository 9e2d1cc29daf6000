package input

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// jsonParser builds a Node tree from encoding/json's token stream, finding
// each token's position from the decoder's offset.
type jsonParser struct {
	file  string
	data  []byte
	dec   *json.Decoder
	lines lineIndex
	nodes int
}

func parseJSON(file string, data []byte) (*Node, error) {
	if !utf8.Valid(data) {
		return nil, &Error{File: file, Line: 1, Col: 1, Msg: "file is not valid UTF-8"}
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	p := &jsonParser{file: file, data: data, dec: dec, lines: newLineIndex(data)}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	line, col := p.next()
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{File: file, Line: line, Col: col, Msg: "unexpected text after the JSON value: a file holds one value"}
	}
	return n, nil
}

// next returns the position of the next token: the decoder's offset past
// whitespace and the separators ',' and ':'.
func (p *jsonParser) next() (line, col int) {
	return p.lines.pos(p.skip(int(p.dec.InputOffset()), true))
}

// skip returns the offset of the first byte at or after off that is not
// whitespace nor, when separators is set, ',' or ':'.
func (p *jsonParser) skip(off int, separators bool) int {
	for off < len(p.data) {
		switch c := p.data[off]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case separators && (c == ',' || c == ':'):
		default:
			return off
		}
		off++
	}
	return off
}

// syntaxError converts a decoder error into a positioned Error.
func (p *jsonParser) syntaxError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// The offset is near the offending byte, sometimes at the
		// separator before it; skip the separator unless it is the
		// offending byte itself.
		msg := se.Error()
		sep := !strings.Contains(msg, "invalid character ','") && !strings.Contains(msg, "invalid character ':'")
		off := p.skip(min(int(se.Offset), len(p.data)), sep)
		line, col := p.lines.pos(off)
		return &Error{File: p.file, Line: line, Col: col, Msg: "invalid JSON: " + se.Error()}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		line, col := p.lines.pos(len(p.data))
		if len(strings.TrimSpace(string(p.data))) == 0 {
			return &Error{File: p.file, Line: line, Col: col, Msg: "file is empty"}
		}
		return &Error{File: p.file, Line: line, Col: col, Msg: "invalid JSON: unexpected end of file"}
	}
	return &Error{File: p.file, Msg: "invalid JSON: " + err.Error()}
}

func (p *jsonParser) value(depth int) (*Node, error) {
	line, col := p.next()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntaxError(err)
	}
	p.nodes++
	if depth > MaxDepth || p.nodes > MaxNodes {
		return nil, &Error{File: p.file, Line: line, Col: col, Msg: fmt.Sprintf("values nest deeper than %d levels or number more than %d", MaxDepth, MaxNodes)}
	}
	n := &Node{Line: line, Col: col}
	switch tok := tok.(type) {
	case nil:
		n.Kind = Null
	case bool:
		n.Kind, n.Text = Bool, fmt.Sprint(tok)
	case json.Number:
		n.Kind, n.Text = Number, tok.String()
	case string:
		n.Kind, n.Text = String, tok
	case json.Delim:
		switch tok {
		case '[':
			n.Kind = List
			for p.dec.More() {
				item, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Items = append(n.Items, item)
			}
		case '{':
			n.Kind = Object
			seen := map[string]int{}
			for p.dec.More() {
				kline, kcol := p.next()
				ktok, err := p.dec.Token()
				if err != nil {
					return nil, p.syntaxError(err)
				}
				key, _ := ktok.(string)
				if first, dup := seen[key]; dup {
					return nil, &Error{File: p.file, Line: kline, Col: kcol,
						Msg: fmt.Sprintf("duplicate key %q (first at line %d): each key may appear once", key, first)}
				}
				seen[key] = kline
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Members = append(n.Members, Member{Key: key, Line: kline, Col: kcol, Value: v})
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, p.syntaxError(err)
		}
	}
	return n, nil
}
