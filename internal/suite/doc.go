// Package suite runs policy test suites, the way `opa test` runs Rego
// tests: files named *_test.yaml, *_test.yml or *_test.json that sit beside
// the policies they test, each listing its policy files and cases of
// request and expected decision.
//
//	name: loopback roles            # optional; the file name by default
//	policies: [policy.json]         # identity policies, relative to the suite
//	resource_policies: []           # optional
//	boundary: []                    # optional: one boundary of these documents
//	session: []                     # optional: one session policy
//	cases:
//	  - name: admin may delete
//	    request: {...}              # as a `gatehouse eval` request file
//	    expect: allow               # or deny
//	    reason: allowed             # optional: allowed, explicit_deny, implicit_deny
//	    sid: AdminAll               # optional: the deciding statement's Sid
//	    fields: {email: allow}      # optional: expected field decisions
//	    explain_contains: [text]    # optional: substrings of the explanation
//
// Unknown keys are errors. Decisions are checked with the engine's fast path
// (Decide), the one the server uses; explain_contains also runs Explain and
// checks that it reaches the same decision.
package suite
