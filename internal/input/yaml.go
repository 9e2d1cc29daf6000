package input

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlConverter turns a yaml.Node tree into a Node tree.
type yamlConverter struct {
	file  string
	nodes int
}

// yamlLine finds the line number in a go-yaml error message.
var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

func parseYAML(file string, data []byte) (*Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, &Error{File: file, Line: 1, Col: 1, Msg: "file is empty"}
		}
		e := &Error{File: file, Msg: "invalid YAML: " + err.Error()}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			e.Msg = "invalid YAML: " + strings.TrimPrefix(err.Error(), m[0])
			if m[1] != "" {
				e.Line, _ = strconv.Atoi(m[1])
				e.Col = 1
			}
		}
		return nil, e
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{File: file, Line: extra.Line, Col: extra.Column, Msg: "a second YAML document: a file holds one document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, &Error{File: file, Msg: "invalid YAML: " + err.Error()}
	}
	c := &yamlConverter{file: file}
	return c.convert(&doc, 0)
}

func (c *yamlConverter) errorf(y *yaml.Node, format string, args ...any) error {
	return &Error{File: c.file, Line: y.Line, Col: y.Column, Msg: fmt.Sprintf(format, args...)}
}

func (c *yamlConverter) convert(y *yaml.Node, depth int) (*Node, error) {
	c.nodes++
	if depth > MaxDepth || c.nodes > MaxNodes {
		return nil, c.errorf(y, "values nest deeper than %d levels or number more than %d", MaxDepth, MaxNodes)
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return nil, c.errorf(y, "file is empty")
		}
		return c.convert(y.Content[0], depth)
	case yaml.AliasNode:
		if y.Alias == nil {
			return nil, c.errorf(y, "alias *%s refers to nothing", y.Value)
		}
		n, err := c.convert(y.Alias, depth+1)
		if err != nil {
			return nil, err
		}
		// Report the alias's own position, not its anchor's.
		cp := *n
		cp.Line, cp.Col = y.Line, y.Column
		return &cp, nil
	case yaml.SequenceNode:
		n := &Node{Kind: List, Line: y.Line, Col: y.Column}
		for _, item := range y.Content {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, v)
		}
		return n, nil
	case yaml.MappingNode:
		n := &Node{Kind: Object, Line: y.Line, Col: y.Column}
		seen := map[string]int{}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, c.errorf(k, "a key must be a plain string, not a list or object")
			}
			if k.ShortTag() == "!!merge" {
				return nil, c.errorf(k, "YAML merge keys (<<) are not supported: write the keys out")
			}
			if first, dup := seen[k.Value]; dup {
				return nil, c.errorf(k, "duplicate key %q (first at line %d): each key may appear once", k.Value, first)
			}
			seen[k.Value] = k.Line
			val, err := c.convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			n.Members = append(n.Members, Member{Key: k.Value, Line: k.Line, Col: k.Column, Value: val})
		}
		return n, nil
	case yaml.ScalarNode:
		n := &Node{Line: y.Line, Col: y.Column, Text: y.Value}
		switch tag := y.ShortTag(); tag {
		case "!!null":
			n.Kind, n.Text = Null, ""
		case "!!bool":
			b, err := strconv.ParseBool(y.Value)
			if err != nil {
				return nil, c.errorf(y, "%q is not a bool: write true or false", y.Value)
			}
			n.Kind, n.Text = Bool, strconv.FormatBool(b)
		case "!!int", "!!float":
			switch strings.ToLower(strings.TrimLeft(y.Value, "+-")) {
			case ".inf", ".nan":
				return nil, c.errorf(y, "%s is not a JSON number: quote it to use it as a string", y.Value)
			}
			n.Kind = Number
		case "!!str", "!!timestamp", "!!binary":
			// A date stays the text it was written as.
			n.Kind = String
		default:
			return nil, c.errorf(y, "unsupported YAML tag %s: use plain strings, numbers, bools, lists and maps", tag)
		}
		return n, nil
	}
	return nil, c.errorf(y, "unsupported YAML node")
}
