package policy

import (
	"fmt"
	"slices"
	"strings"
)

// This file turns the node tree of a JSON or YAML document into a Document,
// following the grammar in the IAM User Guide, "IAM JSON policy element
// reference" and "Grammar of the IAM JSON policy language". Every problem is
// reported; whatever could be read is kept.

// topLevelKeys are the elements of a policy document.
var topLevelKeys = []string{"Version", "Id", "Statement"}

// statementKeys are the elements of a statement.
var statementKeys = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

// Hints for empty strings, by element.
const (
	emptyActionHint    = `name an action such as "s3:GetObject", or "*" for every action`
	emptyResourceHint  = `name a resource such as "arn:aws:s3:::bucket/*", or "*" for every resource`
	emptyPrincipalHint = `name a principal, or use "*" for everyone`
)

// decoder builds a Document from a node tree.
type decoder struct {
	rep  *reporter
	yaml bool // the source was YAML: hint at quoting
}

// document decodes the root node. It returns nil when the root is not an
// object.
func (d *decoder) document(root *node, doc *Document) *Document {
	if root.kind != nodeObject {
		if root.kind != nodeInvalid {
			d.rep.errorf(root.pos, "", CodeWrongType,
				"a policy must be an object with a Statement element, such as {\"Version\": \"2012-10-17\", \"Statement\": [...]}; found %s", root.describe())
		}
		return nil
	}
	d.checkCount(root, "", "the policy")
	var statement *node
	statementHinted := false
	for i, k := range root.keys {
		v := &root.kids[i]
		path := childPath("", k.name)
		switch k.name {
		case "Version":
			doc.Version, _ = d.text(v, path, "Version")
			doc.VersionPos = v.pos
		case "Id":
			doc.ID, _ = d.text(v, path, "Id")
		case "Statement":
			statement = v
		default:
			if slices.Contains(statementKeys, k.name) {
				d.rep.errorf(k.pos, path, CodeUnknownElement,
					"unknown element %s at the top of the policy: statement elements go inside \"Statement\"", quoteShort(k.name))
				continue
			}
			if d.unknown(k, path, topLevelKeys, "at the top of the policy", "a policy has Version, Id and Statement") == "Statement" {
				statementHinted = true
			}
		}
	}
	switch {
	case statement != nil:
		d.statements(statement, doc)
	case !statementHinted:
		d.rep.errorf(root.pos, "", CodeMissingElement,
			"the policy has no Statement: add \"Statement\": [{\"Effect\": \"Allow\", \"Action\": ..., \"Resource\": ...}]")
	}
	return doc
}

// unknown reports an unknown key and returns the known key it was probably
// meant to be, or "".
func (d *decoder) unknown(k nodeKey, path string, known []string, where, allowed string) string {
	s := suggestName(k.name, known)
	if s != "" {
		d.rep.errorf(k.pos, path, CodeUnknownElement, "unknown element %s %s: did you mean %q?", quoteShort(k.name), where, s)
	} else {
		d.rep.errorf(k.pos, path, CodeUnknownElement, "unknown element %s %s: %s", quoteShort(k.name), where, allowed)
	}
	return s
}

// checkCount reports a list or object with more entries than
// MaxElementsPerList.
func (d *decoder) checkCount(n *node, path, what string) {
	if n.count > MaxElementsPerList {
		d.rep.errorf(n.pos, path, CodeTooManyElements,
			"%s has %d entries; at most %d are allowed: split it, or use wildcards", what, n.count, MaxElementsPerList)
	}
}

// found describes a value of the wrong type for a message. In YAML, a bare
// 10 or true is a number or boolean, so it says how to make it text.
func (d *decoder) found(v *node) string {
	if d.yaml && (v.kind == nodeNumber || v.kind == nodeBool) {
		word := "number"
		if v.kind == nodeBool {
			word = "boolean"
		}
		return fmt.Sprintf("the %s %s: in YAML, quote it to make it a string", word, v.text)
	}
	return v.describe()
}

// text decodes an element that must be a string.
func (d *decoder) text(v *node, path, name string) (string, bool) {
	switch v.kind {
	case nodeString:
		return v.text, true
	case nodeInvalid:
		return "", false
	}
	d.rep.errorf(v.pos, path, CodeWrongType, "%s must be a string, found %s", name, d.found(v))
	return "", false
}

// statements decodes the Statement element into doc.
func (d *decoder) statements(v *node, doc *Document) {
	const path = "/Statement"
	switch v.kind {
	case nodeObject:
		doc.Statements = []*Statement{d.statement(v, 0, path)}
	case nodeArray:
		doc.StatementIsList = true
		kids := v.kids
		if v.count > MaxStatements {
			d.rep.errorf(v.pos, path, CodeTooManyStatements,
				"the policy has %d statements; at most %d are allowed: split it into several policies", v.count, MaxStatements)
			kids = kids[:min(len(kids), MaxStatements)]
		}
		doc.Statements = make([]*Statement, 0, len(kids))
		for i := range kids {
			e := &kids[i]
			switch e.kind {
			case nodeObject:
				doc.Statements = append(doc.Statements, d.statement(e, i, indexPath(path, i)))
			case nodeInvalid:
			default:
				d.rep.errorf(e.pos, indexPath(path, i), CodeWrongType, "each statement must be an object, found %s", e.describe())
			}
		}
	case nodeInvalid:
	default:
		d.rep.errorf(v.pos, path, CodeWrongType,
			"Statement must be an object or a list of objects, found %s", v.describe())
	}
}

// statement decodes one statement object.
func (d *decoder) statement(n *node, index int, path string) *Statement {
	st := &Statement{Index: index, Pos: n.pos, Path: path}
	d.checkCount(n, path, "the statement")
	hasEffect, effectHinted := false, false
	for i, k := range n.keys {
		v := &n.kids[i]
		p := childPath(path, k.name)
		switch k.name {
		case "Sid":
			st.Sid, _ = d.text(v, p, "Sid")
			st.SidPos = v.pos
		case "Effect":
			hasEffect = true
			st.Effect = d.effect(v, p)
		case "Action":
			st.Action, st.ActionIsList, _ = d.strings(v, p, "Action", emptyActionHint)
		case "NotAction":
			st.NotAction, st.NotActionIsList, _ = d.strings(v, p, "NotAction", emptyActionHint)
		case "Resource":
			st.Resource, st.ResourceIsList, _ = d.strings(v, p, "Resource", emptyResourceHint)
		case "NotResource":
			st.NotResource, st.NotResourceIsList, _ = d.strings(v, p, "NotResource", emptyResourceHint)
		case "Principal":
			st.Principal = d.principal(v, p, "Principal")
		case "NotPrincipal":
			st.NotPrincipal = d.principal(v, p, "NotPrincipal")
		case "Condition":
			st.Conditions = d.conditions(v, p)
		default:
			if slices.Contains(topLevelKeys, k.name) {
				d.rep.errorf(k.pos, p, CodeUnknownElement,
					"unknown element %s in a statement: it belongs at the top of the policy, beside \"Statement\"", quoteShort(k.name))
				continue
			}
			if d.unknown(k, p, statementKeys, "in a statement",
				"a statement has Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource and Condition") == "Effect" {
				effectHinted = true
			}
		}
	}
	if !hasEffect && !effectHinted {
		d.rep.errorf(n.pos, path, CodeMissingElement, "the statement has no Effect: add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"")
	}
	return st
}

// effect decodes Effect, which IAM accepts only as exactly "Allow" or "Deny".
func (d *decoder) effect(v *node, path string) Effect {
	switch v.kind {
	case nodeString:
		switch v.text {
		case "Allow":
			return Allow
		case "Deny":
			return Deny
		}
		if s := suggestName(v.text, []string{"Allow", "Deny"}); s != "" {
			d.rep.errorf(v.pos, path, CodeBadEffect, "Effect must be \"Allow\" or \"Deny\", found %s: did you mean %q? (Effect is case-sensitive)", quoteShort(v.text), s)
		} else {
			d.rep.errorf(v.pos, path, CodeBadEffect, "Effect must be \"Allow\" or \"Deny\", found %s", quoteShort(v.text))
		}
	case nodeInvalid:
	default:
		d.rep.errorf(v.pos, path, CodeWrongType, "Effect must be the string \"Allow\" or \"Deny\", found %s", v.describe())
	}
	return EffectInvalid
}

// strings decodes an element that IAM accepts as a string or a list of
// strings. A list gives a non-nil slice, even when empty. emptyHint says
// what to write instead of an empty string.
func (d *decoder) strings(v *node, path, name, emptyHint string) (out []Str, isList, ok bool) {
	switch v.kind {
	case nodeString:
		d.checkEmpty(v, path, name, emptyHint)
		return []Str{{Value: v.text, Kind: KindString, Pos: v.pos, Path: path}}, false, true
	case nodeArray:
		d.checkCount(v, path, name)
		kids := v.kids[:min(len(v.kids), MaxElementsPerList)]
		out = make([]Str, 0, len(kids))
		for i := range kids {
			e := &kids[i]
			p := indexPath(path, i)
			switch e.kind {
			case nodeString:
				d.checkEmpty(e, p, name, emptyHint)
				out = append(out, Str{Value: e.text, Kind: KindString, Pos: e.pos, Path: p})
			case nodeInvalid:
			default:
				d.rep.errorf(e.pos, p, CodeWrongType, "each element of %s must be a string, found %s", name, d.found(e))
			}
		}
		return out, true, true
	case nodeInvalid:
		return nil, false, false
	}
	d.rep.errorf(v.pos, path, CodeWrongType, "%s must be a string or a list of strings, found %s", name, d.found(v))
	return nil, false, false
}

// checkEmpty reports an empty string where IAM requires text.
func (d *decoder) checkEmpty(v *node, path, name, hint string) {
	if v.text == "" {
		d.rep.errorf(v.pos, path, CodeEmptyValue, "%s must not be an empty string: %s", name, hint)
	}
}

// principal decodes Principal or NotPrincipal: "*" or an object of principal
// types, each a string or list of ids. Type names are kept as written;
// Validate checks them.
func (d *decoder) principal(v *node, path, name string) *Principal {
	switch v.kind {
	case nodeString:
		if v.text == "*" {
			return &Principal{Pos: v.pos, Path: path, Any: true}
		}
		d.rep.errorf(v.pos, path, CodeBadPrincipal,
			"%s must be \"*\" or an object of principal types such as {\"User\": [\"alice\"]}, found the string %s", name, quoteShort(v.text))
		return nil
	case nodeObject:
		d.checkCount(v, path, name)
		pr := &Principal{Pos: v.pos, Path: path, Entries: make([]PrincipalEntry, 0, len(v.keys))}
		for i, k := range v.keys {
			p := childPath(path, k.name)
			if k.name == "" {
				d.rep.errorf(k.pos, p, CodeEmptyValue, "a principal type must not be empty: use User, App, Role, Group or AWS")
			}
			what := fmt.Sprintf("%s %s", name, quoteShort(k.name))
			ids, isList, ok := d.strings(&v.kids[i], p, what, emptyPrincipalHint)
			if !ok {
				continue
			}
			pr.Entries = append(pr.Entries, PrincipalEntry{
				Type:      Str{Value: k.name, Kind: KindString, Pos: k.pos, Path: p},
				IDs:       ids,
				IDsIsList: isList,
			})
		}
		return pr
	case nodeInvalid:
		return nil
	}
	d.rep.errorf(v.pos, path, CodeWrongType,
		"%s must be \"*\" or an object of principal types such as {\"User\": [\"alice\"]}, found %s", name, v.describe())
	return nil
}

// conditions decodes a Condition block into one Condition per (operator,
// key), in source order.
func (d *decoder) conditions(v *node, path string) []*Condition {
	switch v.kind {
	case nodeObject:
	case nodeInvalid:
		return nil
	default:
		d.rep.errorf(v.pos, path, CodeWrongType,
			"Condition must be an object of operators such as {\"StringEquals\": {\"aws:username\": \"alice\"}}, found %s", v.describe())
		return nil
	}
	d.checkCount(v, path, "Condition")
	var out []*Condition
	for i, k := range v.keys {
		opPath := childPath(path, k.name)
		op, ok := ParseOperator(k.name)
		if !ok {
			d.rep.errorf(k.pos, opPath, CodeUnknownOperator, "%s", unknownOperatorMessage(k.name))
		}
		block := &v.kids[i]
		switch block.kind {
		case nodeObject:
		case nodeInvalid:
			continue
		default:
			d.rep.errorf(block.pos, opPath, CodeWrongType,
				"the value of condition operator %s must be an object of condition keys such as {\"aws:username\": \"alice\"}, found %s",
				quoteShort(k.name), block.describe())
			continue
		}
		d.checkCount(block, opPath, "the condition operator "+quoteShort(k.name))
		operator := Str{Value: k.name, Kind: KindString, Pos: k.pos, Path: opPath}
		for j, key := range block.keys {
			keyPath := childPath(opPath, key.name)
			if key.name == "" {
				d.rep.errorf(key.pos, keyPath, CodeEmptyValue, "a condition key must not be empty: name one such as \"aws:username\"")
			}
			values, isList, ok := d.values(&block.kids[j], keyPath, key.name)
			if !ok {
				continue
			}
			out = append(out, &Condition{
				Operator:     operator,
				Op:           op,
				Key:          Str{Value: key.name, Kind: KindString, Pos: key.pos, Path: keyPath},
				Values:       values,
				ValuesIsList: isList,
			})
		}
	}
	return out
}

// values decodes the values of one condition key: a string, number or
// boolean, or a list of them.
func (d *decoder) values(v *node, path, key string) (out []Str, isList, ok bool) {
	switch v.kind {
	case nodeString, nodeNumber, nodeBool:
		return []Str{scalarStr(v, path)}, false, true
	case nodeArray:
		d.checkCount(v, path, "the condition key "+quoteShort(key))
		kids := v.kids[:min(len(v.kids), MaxElementsPerList)]
		out = make([]Str, 0, len(kids))
		for i := range kids {
			e := &kids[i]
			p := indexPath(path, i)
			switch e.kind {
			case nodeString, nodeNumber, nodeBool:
				out = append(out, scalarStr(e, p))
			case nodeInvalid:
			default:
				d.rep.errorf(e.pos, p, CodeWrongType,
					"each value of condition key %s must be a string, number or boolean, found %s", quoteShort(key), e.describe())
			}
		}
		return out, true, true
	case nodeInvalid:
		return nil, false, false
	}
	d.rep.errorf(v.pos, path, CodeWrongType,
		"the value of condition key %s must be a string, number or boolean, or a list of them, found %s", quoteShort(key), v.describe())
	return nil, false, false
}

// scalarStr makes a Str of a string, number or boolean node.
func scalarStr(v *node, path string) Str {
	kind := KindString
	switch v.kind {
	case nodeNumber:
		kind = KindNumber
	case nodeBool:
		kind = KindBool
	}
	return Str{Value: v.text, Kind: kind, Pos: v.pos, Path: path}
}

// operatorSpellings are the names of every IAM condition operator, for
// suggestions.
var operatorSpellings = func() []string {
	var names []string
	for b := OpStringEquals; b < opCount; b++ {
		for _, set := range []SetQualifier{SetNone, ForAllValues, ForAnyValue} {
			for _, ifExists := range []bool{false, true} {
				if b == OpNull && ifExists {
					continue
				}
				names = append(names, Operator{Base: b, Set: set, IfExists: ifExists}.String())
			}
		}
	}
	return names
}()

// unknownOperatorMessage says what is wrong with a condition operator name
// that ParseOperator refused, and what was probably meant.
func unknownOperatorMessage(name string) string {
	if name == "" {
		return "a condition operator must not be empty: use one such as StringEquals"
	}
	s := SuggestOperator(name)
	if s == "" {
		s = suggestName(name, operatorSpellings)
	}
	switch {
	case strings.HasSuffix(strings.ToLower(name), "nullifexists"):
		return fmt.Sprintf("unknown condition operator %s: Null has no IfExists form, since Null itself tests whether the key is present; use Null", quoteShort(name))
	case s != "" && strings.EqualFold(s, name):
		return fmt.Sprintf("unknown condition operator %s: did you mean %q? (operators are case-sensitive)", quoteShort(name), s)
	case s != "":
		return fmt.Sprintf("unknown condition operator %s: did you mean %q?", quoteShort(name), s)
	}
	return fmt.Sprintf("unknown condition operator %s: use one of IAM's String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, NotIpAddress, Arn* or Null operators, optionally with IfExists or a ForAllValues:/ForAnyValue: prefix", quoteShort(name))
}
