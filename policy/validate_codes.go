package policy

// Codes of the findings Validate reports. They are stable: tools and the
// HTTP API may branch on them. docs/policy-findings.md lists every code with
// its meaning, and a test keeps that list and the package in step.
//
// Errors: IAM (or IAM Access Analyzer) rejects the policy.
const (
	// CodeBadVersion is a Version other than "2012-10-17" or "2008-10-17".
	CodeBadVersion = "policy.bad_version"
	// CodeActionAndNotAction is a statement with both Action and NotAction.
	CodeActionAndNotAction = "policy.action_and_notaction"
	// CodeNoAction is a statement with neither Action nor NotAction.
	CodeNoAction = "policy.no_action"
	// CodeResourceAndNotResource is a statement with both Resource and
	// NotResource.
	CodeResourceAndNotResource = "policy.resource_and_notresource"
	// CodeNoResource is an identity, boundary or session policy statement
	// with neither Resource nor NotResource.
	CodeNoResource = "policy.no_resource"
	// CodePrincipalAndNotPrincipal is a statement with both Principal and
	// NotPrincipal.
	CodePrincipalAndNotPrincipal = "policy.principal_and_notprincipal"
	// CodePrincipalNotAllowed is a Principal or NotPrincipal in an
	// identity, boundary or session policy.
	CodePrincipalNotAllowed = "policy.principal_not_allowed"
	// CodeMissingPrincipal is a resource or trust policy statement with
	// neither Principal nor NotPrincipal.
	CodeMissingPrincipal = "policy.missing_principal"
	// CodeBadPrincipalType is a principal type other than User, App, Role,
	// Group or AWS, or an empty principal id.
	CodeBadPrincipalType = "policy.bad_principal_type"
	// CodeBadAction is an action that is neither "*" nor "service:action".
	CodeBadAction = "policy.bad_action"
	// CodeBadVariable is a malformed policy variable under Version
	// 2012-10-17.
	CodeBadVariable = "policy.bad_variable"
	// CodeBadNumber is a Numeric* value that is not a number.
	CodeBadNumber = "policy.bad_number"
	// CodeBadDate is a Date* value that is neither ISO 8601 nor epoch
	// seconds.
	CodeBadDate = "policy.bad_date"
	// CodeBadBool is a Bool or Null value other than true or false.
	CodeBadBool = "policy.bad_bool"
	// CodeBadBinary is a BinaryEquals value that is not base64.
	CodeBadBinary = "policy.bad_binary"
	// CodeBadCIDR is an IpAddress/NotIpAddress value that is not an IP
	// address or CIDR block.
	CodeBadCIDR = "policy.bad_cidr"
	// CodeBadARN is an Arn* value without the six parts of an ARN.
	CodeBadARN = "policy.bad_arn"
	// CodeEmptyCondition is a condition operator and key with no values.
	CodeEmptyCondition = "policy.empty_condition"
)

// Warnings: legal, but almost certainly not what the author meant.
const (
	// CodeVariablesIgnored is "${...}" in a document whose Version is not
	// 2012-10-17, where it is literal text.
	CodeVariablesIgnored = "policy.variables_ignored"
	// CodeAllowAll is an Allow of every action on every resource with no
	// condition.
	CodeAllowAll = "policy.allow_all"
	// CodeAllowNotAction is an Allow with NotAction.
	CodeAllowNotAction = "policy.allow_not_action"
	// CodeAllowNotResource is an Allow with NotResource.
	CodeAllowNotResource = "policy.allow_not_resource"
	// CodeAllowNotPrincipal is an Allow with NotPrincipal.
	CodeAllowNotPrincipal = "policy.allow_not_principal"
	// CodeNeverMatches is a statement that provably applies to no request.
	CodeNeverMatches = "policy.never_matches"
	// CodeDuplicateSid is a Sid used by two statements.
	CodeDuplicateSid = "policy.duplicate_sid"
	// CodeMisspeltKey is a condition key or variable that looks like a
	// misspelt gatehouse key (principal:role for principal:roles).
	CodeMisspeltKey = "policy.misspelt_key"
	// CodeKeyWhitespace is a condition key or variable name with stray
	// whitespace.
	CodeKeyWhitespace = "policy.key_whitespace"
	// CodeConfusableVariable is a key easily mistaken for another, such as
	// cognito-identity.amazonaws.com:sub for a token's sub.
	CodeConfusableVariable = "policy.confusable_variable"
	// CodeForAllValuesMissingKey is an Allow with ForAllValues on a key
	// that nothing requires to be present.
	CodeForAllValuesMissingKey = "policy.forallvalues_missing_key"
	// CodeForAnyValueNegated is ForAnyValue with a negated operator.
	CodeForAnyValueNegated = "policy.foranyvalue_negated"
	// CodeSingleValuedSet is a set qualifier on a single-valued gatehouse
	// key.
	CodeSingleValuedSet = "policy.single_valued_set"
	// CodeNullSetQualifier is ForAllValues:Null or ForAnyValue:Null.
	CodeNullSetQualifier = "policy.null_set_qualifier"
	// CodePrincipalVariable is "${...}" in a Principal id, where it is
	// literal text.
	CodePrincipalVariable = "policy.principal_variable"
)

// validateCodes lists every code above, for the documentation and corpus
// tests.
var validateCodes = []string{
	CodeBadVersion, CodeActionAndNotAction, CodeNoAction,
	CodeResourceAndNotResource, CodeNoResource, CodePrincipalAndNotPrincipal,
	CodePrincipalNotAllowed, CodeMissingPrincipal, CodeBadPrincipalType,
	CodeBadAction, CodeBadVariable, CodeBadNumber, CodeBadDate, CodeBadBool,
	CodeBadBinary, CodeBadCIDR, CodeBadARN, CodeEmptyCondition,
	CodeVariablesIgnored, CodeAllowAll, CodeAllowNotAction,
	CodeAllowNotResource, CodeAllowNotPrincipal, CodeNeverMatches,
	CodeDuplicateSid, CodeMisspeltKey, CodeKeyWhitespace,
	CodeConfusableVariable, CodeForAllValuesMissingKey, CodeForAnyValueNegated,
	CodeSingleValuedSet, CodeNullSetQualifier, CodePrincipalVariable,
}
