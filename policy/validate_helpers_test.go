package policy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Helpers that build Documents in code, for Validate's unit tests.

// s is a string element.
func tStr(v string) Str { return Str{Value: v} }

// list is a list of string elements.
func tList(vs ...string) []Str {
	out := make([]Str, 0, len(vs))
	for _, v := range vs {
		out = append(out, tStr(v))
	}
	return out
}

// cond is an (operator, key, values) condition; op must be a valid operator
// name or the test fails when the document is laid out.
func tCond(op, key string, vals ...string) *Condition {
	o, _ := ParseOperator(op)
	return &Condition{Operator: tStr(op), Op: o, Key: tStr(key), Values: tList(vals...), ValuesIsList: len(vals) != 1}
}

// principal is an object-form Principal: type, ids, type, ids, ...
func tPrincipal(pairs ...any) *Principal {
	p := &Principal{}
	for i := 0; i+1 < len(pairs); i += 2 {
		var ids []Str
		switch v := pairs[i+1].(type) {
		case string:
			ids = tList(v)
		case []string:
			ids = tList(v...)
		}
		p.Entries = append(p.Entries, PrincipalEntry{Type: tStr(pairs[i].(string)), IDs: ids})
	}
	return p
}

// anyone is the Principal "*".
func tAnyone() *Principal { return &Principal{Any: true} }

// allow and deny are statements with the given effect; they get Action
// "s3:GetObject" and Resource "arn:aws:s3:::b/k" unless the test changes
// them.
func tAllow() *Statement {
	return &Statement{Effect: Allow, Action: tList("s3:GetObject"), Resource: tList("arn:aws:s3:::b/k")}
}
func tDeny() *Statement {
	return &Statement{Effect: Deny, Action: tList("s3:GetObject"), Resource: tList("arn:aws:s3:::b/k")}
}

// doc2012 makes a Version 2012-10-17 document of sts.
func tDoc(sts ...*Statement) *Document { return tDocV(Version2012, sts...) }

// docV makes a document with the given Version and lays it out.
func tDocV(version string, sts ...*Statement) *Document {
	d := &Document{File: "p.json", Version: version, Statements: sts, StatementIsList: true}
	tLayout(d)
	return d
}

// layout fills in Index, Path and Pos of every element as Parse would, with
// each element on its own line (column 5), so that tests can check where
// findings point.
func tLayout(d *Document) {
	line := 1
	next := func() Pos { line++; return Pos{Line: line, Col: 5} }
	if d.Version != "" {
		d.VersionPos = next()
	}
	strs := func(base string, l []Str) {
		for i := range l {
			l[i].Pos = next()
			l[i].Path = fmt.Sprintf("%s/%d", base, i)
		}
	}
	prin := func(base string, p *Principal) {
		if p == nil {
			return
		}
		p.Pos, p.Path = next(), base
		for i := range p.Entries {
			e := &p.Entries[i]
			e.Type.Pos, e.Type.Path = next(), base+"/"+tEscape(e.Type.Value)
			strs(e.Type.Path, e.IDs)
		}
	}
	for i, st := range d.Statements {
		if st == nil {
			continue
		}
		st.Index, st.Pos, st.Path = i, next(), fmt.Sprintf("/Statement/%d", i)
		if st.Sid != "" {
			st.SidPos = next()
		}
		strs(st.Path+"/Action", st.Action)
		strs(st.Path+"/NotAction", st.NotAction)
		strs(st.Path+"/Resource", st.Resource)
		strs(st.Path+"/NotResource", st.NotResource)
		prin(st.Path+"/Principal", st.Principal)
		prin(st.Path+"/NotPrincipal", st.NotPrincipal)
		for _, c := range st.Conditions {
			if c == nil {
				continue
			}
			c.Operator.Pos, c.Operator.Path = next(), st.Path+"/Condition/"+tEscape(c.Operator.Value)
			c.Key.Pos, c.Key.Path = next(), c.Operator.Path+"/"+tEscape(c.Key.Value)
			strs(c.Key.Path, c.Values)
		}
	}
}

func tEscape(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// got renders findings as "code@pointer", sorted, for comparison.
func tCodes(fs Findings) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Code+"@"+f.Pointer)
	}
	slices.Sort(out)
	return out
}

// checkFindings compares findings with want ("code@pointer" strings) and
// checks what every finding must have.
func tCheck(t *testing.T, d *Document, fs Findings, want []string) {
	t.Helper()
	want = slices.Clone(want)
	slices.Sort(want)
	if g := tCodes(fs); !slices.Equal(g, want) {
		t.Errorf("findings:\n got %q\nwant %q\n%s", g, want, fs.Error())
	}
	for _, f := range fs {
		if f.File != d.File || f.Pointer == "" || f.Message == "" || !strings.HasPrefix(f.Code, "policy.") {
			t.Errorf("incomplete finding %+v", f)
		}
		if f.Line == 0 {
			t.Errorf("finding without a position: %s", f)
		}
		wantSev := SeverityError
		if slices.Contains(tWarningCodes, f.Code) {
			wantSev = SeverityWarning
		}
		if f.Severity != wantSev {
			t.Errorf("%s has severity %s, want %s", f.Code, f.Severity, wantSev)
		}
	}
}

var tWarningCodes = []string{
	CodeVariablesIgnored, CodeAllowAll, CodeAllowNotAction, CodeAllowNotResource,
	CodeAllowNotPrincipal, CodeNeverMatches, CodeDuplicateSid, CodeMisspeltKey,
	CodeKeyWhitespace, CodeConfusableVariable, CodeForAllValuesMissingKey,
	CodeForAnyValueNegated, CodeSingleValuedSet, CodeNullSetQualifier,
	CodePrincipalVariable, CodeTooManyFindings,
}

// with returns st after applying f, for building cases inline.
func tWith(st *Statement, f func(*Statement)) *Statement {
	f(st)
	return st
}
