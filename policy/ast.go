package policy

// Version2012 is the current IAM policy language version. Policy variables
// are substituted only in documents that declare it.
const Version2012 = "2012-10-17"

// Version2008 is the original IAM policy language version, in which "${...}"
// is literal text.
const Version2008 = "2008-10-17"

// Pos is a position in a source document: 1-based line and column (column
// counted in bytes). The zero Pos means "no position" (a value built in code).
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// IsValid reports whether p names a real source position.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Str is a scalar element of a document together with where it was found.
type Str struct {
	// Value is the text of the element. For numbers and booleans in
	// condition values it is their JSON text ("10", "true").
	Value string
	// Kind says whether the element was written as a string, number or bool.
	Kind ScalarKind
	Pos  Pos
	// Path is the JSON pointer (RFC 6901) of the element, e.g.
	// "/Statement/0/Action/1".
	Path string
}

// ScalarKind is the JSON type a scalar was written as.
type ScalarKind uint8

// Scalar kinds.
const (
	KindString ScalarKind = iota
	KindNumber
	KindBool
)

// Format is the syntax a document was written in.
type Format uint8

// Formats.
const (
	FormatJSON Format = iota
	FormatYAML
)

// Document is one parsed policy.
type Document struct {
	// File is the name the document was parsed under (used in findings).
	File   string
	Format Format

	// Version is the Version element, or "" when absent.
	Version    string
	VersionPos Pos
	// ID is the Id element, or "" when absent.
	ID string

	Statements []*Statement
	// StatementIsList records whether Statement was written as an array
	// (true) or a single object (false), so marshalling can round-trip it.
	StatementIsList bool
}

// VariablesEnabled reports whether policy variables are substituted in d,
// which IAM does only for Version 2012-10-17.
func (d *Document) VariablesEnabled() bool { return d.Version == Version2012 }

// Effect is a statement's Effect.
type Effect uint8

// Effects. The zero Effect is invalid; Parse never produces it.
const (
	EffectInvalid Effect = iota
	Allow
	Deny
)

// String returns "Allow", "Deny" or "Invalid".
func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "Invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (e Effect) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// Statement is one element of a document's Statement.
type Statement struct {
	// Index is the statement's 0-based position in the document.
	Index int
	Pos   Pos
	Path  string // "/Statement/3", or "/Statement" for a lone object

	Sid    string
	SidPos Pos
	Effect Effect

	// Exactly one of Action and NotAction is non-nil in a valid statement;
	// nil means "absent", an empty non-nil slice means "[]".
	Action    []Str
	NotAction []Str

	Resource    []Str
	NotResource []Str

	// ActionIsList, NotActionIsList, ResourceIsList and NotResourceIsList
	// record whether the element was written as an array (true) or a lone
	// string, so that marshalling can round-trip it. A slice of other than
	// one element is always written as an array.
	ActionIsList      bool
	NotActionIsList   bool
	ResourceIsList    bool
	NotResourceIsList bool

	Principal    *Principal
	NotPrincipal *Principal

	// Conditions are the (operator, key) pairs of the Condition block in
	// source order. All of them must hold for the statement to apply.
	Conditions []*Condition
}

// Principal is a Principal or NotPrincipal element.
type Principal struct {
	Pos  Pos
	Path string
	// Any is true for the bare string "*".
	Any bool
	// Entries are the typed id lists of the object form, in source order:
	// {"User": [...], "App": [...], "Role": [...], "Group": [...], "AWS": [...]}.
	Entries []PrincipalEntry
}

// PrincipalEntry is one typed list of a Principal object.
type PrincipalEntry struct {
	// Type is the key as written ("User", "AWS", ...).
	Type Str
	IDs  []Str
	// IDsIsList records whether the ids were written as an array.
	IDsIsList bool
}

// Condition is one (operator, key) test of a statement's Condition block.
type Condition struct {
	// Operator is the operator as written, e.g.
	// "ForAllValues:StringEqualsIfExists".
	Operator Str
	// Op is Operator parsed. Op.Base is OpUnknown if the name is not an
	// IAM condition operator (Parse reports that as an error).
	Op  Operator
	Key Str
	// Values are the values the key is compared with; any one may match.
	Values []Str
	// ValuesIsList records whether the values were written as an array.
	ValuesIsList bool
}
