// Package engine compiles policy documents into an index and decides
// requests against it with AWS IAM's evaluation semantics: explicit deny
// beats allow beats implicit deny; identity and resource policies unite; a
// permissions boundary and a session policy each intersect.
//
// The engine is pure: no I/O, no clock, no globals, standard library only.
// [Compile] does the expensive work once (index by action and by literal
// resource prefix, pre-parsed condition values, wildcard matchers without
// regexp); [Engine.Decide] then allocates nothing in the common case.
// [Engine.Explain] gives the same decision with a trace a person can read.
package engine
