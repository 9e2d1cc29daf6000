package policy

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Validate checks a parsed document as a policy of the given kind and
// returns what IAM would reject (errors) and what is legal but almost
// certainly a mistake (warnings), sorted. It does not repeat Parse's
// findings. It never panics: any Document, including one built in code with
// nil slices, empty strings and zero positions, is accepted.
//
// The codes it reports are listed in docs/policy-findings.md.
func Validate(d *Document, kind Kind) Findings {
	if d == nil {
		return nil
	}
	v := &validator{d: d, kind: kind, vars: d.VariablesEnabled()}
	v.version()
	sids := make(map[string]*Statement)
	for _, st := range d.Statements {
		if st == nil {
			continue
		}
		v.statement(st)
		if st.Sid == "" {
			continue
		}
		if first, dup := sids[st.Sid]; dup {
			where := fmt.Sprintf("statement %d", first.Index)
			if first.SidPos.IsValid() {
				where += fmt.Sprintf(" (line %d)", first.SidPos.Line)
			}
			v.warn(CodeDuplicateSid, st.SidPos, st.Path+"/Sid",
				"Sid %s is also used by %s: give each statement a unique Sid, so that decisions and explanations name one statement", quote(st.Sid), where)
		} else {
			sids[st.Sid] = st
		}
	}
	v.fs.Sort()
	return v.fs
}

// validator collects the findings of one Validate call.
type validator struct {
	d    *Document
	kind Kind
	vars bool // policy variables are substituted (Version 2012-10-17)
	fs   Findings
	// warnings counts the warnings reported; capped is set once there
	// are maxFindings of them.
	warnings int
	capped   bool
}

func (v *validator) add(sev Severity, code string, pos Pos, ptr, format string, args ...any) {
	if sev == SeverityWarning {
		// Like Parse, report at most maxFindings warnings, then say so
		// once. Errors are never dropped: they decide whether the policy
		// loads.
		if v.warnings >= maxFindings {
			if !v.capped {
				v.capped = true
				v.fs = append(v.fs, Finding{
					Severity: SeverityWarning, Code: CodeTooManyFindings, File: v.d.File,
					Line: pos.Line, Col: pos.Col, Pointer: ptr,
					Message: fmt.Sprintf("more than %d warnings: the rest are not reported; fix these first", maxFindings),
				})
			}
			return
		}
		v.warnings++
	}
	v.fs = append(v.fs, Finding{
		Severity: sev,
		Code:     code,
		File:     v.d.File,
		Line:     pos.Line,
		Col:      pos.Col,
		Pointer:  ptr,
		Message:  fmt.Sprintf(format, args...),
	})
}

func (v *validator) error(code string, pos Pos, ptr, format string, args ...any) {
	v.add(SeverityError, code, pos, ptr, format, args...)
}

func (v *validator) warn(code string, pos Pos, ptr, format string, args ...any) {
	v.add(SeverityWarning, code, pos, ptr, format, args...)
}

// version checks the Version element. IAM's grammar allows exactly two
// versions; an absent Version means 2008-10-17.
func (v *validator) version() {
	switch v.d.Version {
	case "", Version2012, Version2008:
		return
	}
	v.error(CodeBadVersion, v.d.VersionPos, "/Version",
		"Version %s is not a policy language version: use %q (the current version; %q is the only other one)",
		quote(v.d.Version), Version2012, Version2008)
}

// principalKind reports whether statements of kind k must (true) or must not
// (false) name a principal, and whether k is a known kind at all.
func principalKind(k Kind) (required, known bool) {
	switch k {
	case KindResource, KindTrust:
		return true, true
	case KindIdentity, KindBoundary, KindSession:
		return false, true
	}
	return false, false
}

// statement checks one statement.
func (v *validator) statement(st *Statement) {
	v.structure(st)
	for _, a := range st.Action {
		v.action(a, "Action")
	}
	for _, a := range st.NotAction {
		v.action(a, "NotAction")
	}
	for _, r := range st.Resource {
		v.template(r, "Resource")
	}
	for _, r := range st.NotResource {
		v.template(r, "NotResource")
	}
	v.principal(st.Principal, "Principal")
	v.principal(st.NotPrincipal, "NotPrincipal")
	for _, c := range st.Conditions {
		if c != nil {
			v.condition(c)
		}
	}
	v.lintStatement(st)
}

// structure checks which elements a statement has, for the document's kind.
func (v *validator) structure(st *Statement) {
	switch {
	case st.Action != nil && st.NotAction != nil:
		pos, ptr := listLoc(st, "NotAction", st.NotAction)
		v.error(CodeActionAndNotAction, pos, ptr,
			"statement has both Action and NotAction: keep one of them (a statement names the actions it applies to, or the actions it does not)")
	case st.Action == nil && st.NotAction == nil:
		v.error(CodeNoAction, st.Pos, st.Path,
			"statement has neither Action nor NotAction: add \"Action\" with the actions it applies to (\"*\" for all)")
	}

	required, known := principalKind(v.kind)
	switch {
	case st.Resource != nil && st.NotResource != nil:
		pos, ptr := listLoc(st, "NotResource", st.NotResource)
		v.error(CodeResourceAndNotResource, pos, ptr,
			"statement has both Resource and NotResource: keep one of them")
	case st.Resource == nil && st.NotResource == nil && known && !required:
		// In resource and trust policies Resource is optional: absent, it
		// means the resource (or role) the policy is attached to. Identity,
		// boundary and session policies have nothing to default to, and IAM
		// rejects a statement without Resource or NotResource there.
		v.error(CodeNoResource, st.Pos, st.Path,
			"statement has neither Resource nor NotResource, which %s policy requires: add \"Resource\" with the resources it applies to (\"*\" for all)",
			article(v.kind))
	}

	if st.Principal != nil && st.NotPrincipal != nil {
		v.error(CodePrincipalAndNotPrincipal, st.NotPrincipal.Pos, principalPath(st, st.NotPrincipal, "NotPrincipal"),
			"statement has both Principal and NotPrincipal: keep one of them")
	}
	if !known {
		return
	}
	if required {
		if st.Principal == nil && st.NotPrincipal == nil {
			v.error(CodeMissingPrincipal, st.Pos, st.Path,
				"statement of %s policy has no Principal: add \"Principal\" naming whom it applies to (\"*\" for everyone)",
				article(v.kind))
		}
		return
	}
	for _, p := range []struct {
		name string
		p    *Principal
	}{{"Principal", st.Principal}, {"NotPrincipal", st.NotPrincipal}} {
		if p.p == nil {
			continue
		}
		v.error(CodePrincipalNotAllowed, p.p.Pos, principalPath(st, p.p, p.name),
			"%s is not allowed in %s policy, which applies to whoever it is attached to: remove it, or check the file as a resource or trust policy (--kind resource)",
			p.name, article(v.kind))
	}
}

// article returns "an identity", "a resource", ... for messages.
func article(k Kind) string {
	s := k.String()
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// listLoc returns the position and pointer of a statement's list element: its
// first entry's position (the element itself has none of its own) and the
// pointer of the element.
func listLoc(st *Statement, name string, list []Str) (Pos, string) {
	pos := st.Pos
	if len(list) > 0 && list[0].Pos.IsValid() {
		pos = list[0].Pos
	}
	return pos, st.Path + "/" + name
}

func principalPath(st *Statement, p *Principal, name string) string {
	if p.Path != "" {
		return p.Path
	}
	return st.Path + "/" + name
}

// action checks one Action or NotAction entry against IAM's grammar: "*", or
// a service prefix and an action name separated by one colon. IAM answers
// other forms with MalformedPolicyDocument: "Actions/Conditions must be
// prefaced by a vendor", "Action vendors must not contain wildcards",
// "Actions/Condition can contain only one colon".
func (v *validator) action(a Str, elem string) {
	s := a.Value
	if s == "*" {
		return
	}
	prefix, name, ok := strings.Cut(s, ":")
	var msg string
	switch {
	case s == "":
		msg = "is empty: name an action as \"service:Action\", or \"*\" for all"
	case !ok:
		msg = "has no service prefix: write it as \"service:Action\" (e.g. \"s3:GetObject\", \"orders:Read\"), or \"*\" for all actions"
	case prefix == "":
		msg = "has an empty service prefix: put the service before the colon, as in \"s3:" + name + "\""
	case strings.ContainsAny(prefix, "*?"):
		msg = "has a wildcard in its service prefix, which IAM rejects: name the service, as in \"s3:" + name + "\" (wildcards are allowed only after the colon)"
	case strings.Contains(name, ":"):
		msg = "has more than one colon: an action is \"service:Action\" with exactly one colon"
	case name == "":
		msg = "names no action after the service prefix: add one, or write \"" + prefix + ":*\" for all of its actions"
	default:
		return
	}
	v.error(CodeBadAction, a.Pos, strPath(a, elem), "%s %s %s", elem, quote(s), msg)
}

// strPath returns the element's pointer, or the element name when it was
// built without one.
func strPath(s Str, elem string) string {
	if s.Path != "" {
		return s.Path
	}
	return "/" + elem
}

// principal checks a Principal or NotPrincipal: the type of each entry and
// each id. gatehouse principals are "*" or {"User"|"App"|"Role"|"Group"|"AWS": ids}.
func (v *validator) principal(p *Principal, elem string) {
	if p == nil || p.Any {
		return
	}
	for _, e := range p.Entries {
		t := e.Type.Value
		if !validPrincipalType(t) {
			hint := "use one of User, App, Role, Group or AWS"
			if fix := suggestPrincipalType(t); fix != "" {
				hint = fmt.Sprintf("write %q (principal types are case-sensitive)", fix)
			}
			v.error(CodeBadPrincipalType, e.Type.Pos, strPath(e.Type, elem),
				"%s type %s is not a principal type: %s", elem, quote(t), hint)
		}
		for _, id := range e.IDs {
			switch {
			case id.Value == "":
				v.error(CodeBadPrincipalType, id.Pos, strPath(id, elem),
					"%s %s id is empty: give an id, or \"*\" for every %s", elem, t, t)
			case strings.Contains(id.Value, "${"):
				// IAM substitutes no policy variables in Principal
				// (docs/semantics.md), so the id is matched literally.
				v.warn(CodePrincipalVariable, id.Pos, strPath(id, elem),
					"%s %s id %s is matched literally: policy variables are not substituted in %s; to match the resource's owner use {\"Role\": \"$owner\"}, or test the principal in a Condition such as \"StringEquals\": {\"principal:id\": \"${resource:owner}\"}",
					elem, t, quote(id.Value), elem)
			}
		}
	}
}

var principalTypes = [...]string{"User", "App", "Role", "Group", "AWS"}

func validPrincipalType(t string) bool {
	for _, p := range principalTypes {
		if t == p {
			return true
		}
	}
	return false
}

// suggestPrincipalType returns the principal type t misspells by case or a
// plural, or "".
func suggestPrincipalType(t string) string {
	for _, p := range principalTypes {
		if strings.EqualFold(t, p) || strings.EqualFold(t, p+"s") {
			return p
		}
	}
	return ""
}

// template checks a string element in which policy variables are
// substituted (Resource, NotResource, String, Arn and Bool condition
// values): their
// syntax under Version 2012-10-17, and a warning when they are literal text
// because the document has another Version. It reports whether the value
// holds a (well-formed) variable, and whether it was well-formed.
func (v *validator) template(s Str, elem string) (hasVars, ok bool) {
	if !strings.Contains(s.Value, "${") {
		return false, true
	}
	if !v.vars {
		have := "has no Version"
		if v.d.Version != "" {
			have = "has Version " + quote(v.d.Version)
		}
		v.warn(CodeVariablesIgnored, s.Pos, strPath(s, elem),
			"%s %s contains \"${\", which is literal text because the document %s; policy variables are substituted only under Version 2012-10-17: add \"Version\": \"2012-10-17\"",
			elem, quote(s.Value), have)
		return false, true
	}
	t, err := ParseTemplate(s.Value, true)
	if err != nil {
		hint := ""
		if strings.Contains(err.Error(), "not closed") {
			hint = " (or write ${$} for a literal \"$\")"
		}
		v.error(CodeBadVariable, s.Pos, strPath(s, elem),
			"%s %s: %s%s", elem, quote(s.Value), err.Error(), hint)
		return false, false
	}
	for _, part := range t {
		if part.Kind != PartVar {
			continue
		}
		v.lintVariable(s, elem, part)
	}
	return t.HasVars(), true
}

// quote returns s in double quotes, shortened to a readable length.
func quote(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}
