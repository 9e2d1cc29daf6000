package policy

// Codes of the findings Validate reports. They are stable: tools and tests
// match on them. docs/policy-findings.md lists every code with its meaning,
// and a test keeps that list and these constants in step.
const (
	// Errors: IAM (or IAM Access Analyzer) rejects the policy.
	codeBadVersion             = "policy.bad_version"
	codeActionAndNotAction     = "policy.action_and_notaction"
	codeNoAction               = "policy.no_action"
	codeResourceAndNotResource = "policy.resource_and_notresource"
	codeNoResource             = "policy.no_resource"
	codePrincipalAndNot        = "policy.principal_and_notprincipal"
	codePrincipalNotAllowed    = "policy.principal_not_allowed"
	codeMissingPrincipal       = "policy.missing_principal"
	codeBadPrincipalType       = "policy.bad_principal_type"
	codeBadAction              = "policy.bad_action"
	codeBadVariable            = "policy.bad_variable"
	codeBadNumber              = "policy.bad_number"
	codeBadDate                = "policy.bad_date"
	codeBadBool                = "policy.bad_bool"
	codeBadBinary              = "policy.bad_binary"
	codeBadCIDR                = "policy.bad_cidr"
	codeBadARN                 = "policy.bad_arn"
	codeEmptyCondition         = "policy.empty_condition"

	// Warnings: legal, but almost certainly not what the author meant.
	codeVariablesIgnored     = "policy.variables_ignored"
	codeAllowAll             = "policy.allow_all"
	codeAllowNotAction       = "policy.allow_not_action"
	codeAllowNotResource     = "policy.allow_not_resource"
	codeAllowNotPrincipal    = "policy.allow_not_principal"
	codeNeverMatches         = "policy.never_matches"
	codeDuplicateSid         = "policy.duplicate_sid"
	codeMisspeltKey          = "policy.misspelt_key"
	codeKeyWhitespace        = "policy.key_whitespace"
	codeConfusableVariable   = "policy.confusable_variable"
	codeForAllValuesMissing  = "policy.forallvalues_missing_key"
	codeForAnyValueNegated   = "policy.foranyvalue_negated"
	codeSingleValuedSet      = "policy.single_valued_set"
	codeNullWithSetQualifier = "policy.null_set_qualifier"
)

// validateCodes lists every code above, for the documentation test.
var validateCodes = []string{
	codeBadVersion, codeActionAndNotAction, codeNoAction,
	codeResourceAndNotResource, codeNoResource, codePrincipalAndNot,
	codePrincipalNotAllowed, codeMissingPrincipal, codeBadPrincipalType,
	codeBadAction, codeBadVariable, codeBadNumber, codeBadDate, codeBadBool,
	codeBadBinary, codeBadCIDR, codeBadARN, codeEmptyCondition,
	codeVariablesIgnored, codeAllowAll, codeAllowNotAction,
	codeAllowNotResource, codeAllowNotPrincipal, codeNeverMatches,
	codeDuplicateSid, codeMisspeltKey, codeKeyWhitespace,
	codeConfusableVariable, codeForAllValuesMissing, codeForAnyValueNegated,
	codeSingleValuedSet, codeNullWithSetQualifier,
}
