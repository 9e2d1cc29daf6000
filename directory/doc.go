// Package directory gives meaning to a store's objects: policies, roles,
// role mappings, users, groups, apps, claim rules, resource policies and
// permissions boundaries. It decodes and validates them (Decode), checks a
// set of writes against the current state before the server commits them
// (Directory.Validate: role cycles, missing references, the LoopBack trap),
// compiles a whole store revision into one engine with its role-resolution
// indexes (Build), resolves a subject's roles with the provenance of each
// (Directory.Resolve), and decides and explains checks (Directory.Check,
// Directory.Explain).
//
// The package is pure: it takes bytes, snapshots and values (the request
// time included) and never touches the network, a database or a clock.
//
// # Object kinds and ids
//
// Each kind is a string as stored in store.Object.Kind: "policy", "role",
// "role_mapping", "user", "group", "app", "claim_rule", "resource_policy",
// "boundary". Ids are checked by Decode:
//
//   - names (policies, roles, role mappings, claim rules, resource policies,
//     boundaries): 1 to 128 bytes of ASCII letters, digits and _ . - @ : + = ,
//     starting with a letter, a digit or _ (IAM's name characters plus ':').
//   - principal ids (users, apps, groups): 1 to 512 bytes of UTF-8 without
//     whitespace or control characters, and not "." or "..". They are wide
//     because they come from elsewhere: e-mail addresses, Auth0's
//     "auth0|5f7c…", Keycloak's "/admins" group paths, external subjects
//     "<issuer>:<sub>" (an OIDC sub is up to 255 characters).
//   - the dynamic roles $everyone, $authenticated, $unauthenticated and
//     $owner are the only role names that start with "$". They are never
//     stored as mappings' targets: a role can be stored under a dynamic name
//     to attach policies to it (and may include other roles), but a role
//     mapping, an includes list or a claim rule cannot give a dynamic role,
//     since the server computes who holds it on every request. A ROLE mapping
//     may start from one ("holders of $authenticated also hold member").
//
// # References
//
// What must exist when a write is committed (Directory.Validate): the
// policies listed by a role, user, group or app; the roles named by an
// includes list, by a role mapping (both ends of a ROLE mapping) and by a
// claim rule, except dynamic roles as sources. Users, groups and apps named
// by a mapping, a user's groups or a boundary need not be stored: a
// principal need not be stored to be checked. Deleting an object that
// something still references is refused with the list of referrers.
// A snapshot that breaks these rules anyway (written by an older version)
// still builds: Build skips the dangling reference and records a warning.
//
// # Role resolution
//
// Directory.Resolve gives principal:roles: $everyone always; $authenticated
// for a user, app or session subject, $unauthenticated for an anonymous one;
// $owner when the resource attribute "owner" (looked up as resource:owner
// is: exactly, else ignoring case) has the subject's id among its values;
// the roles the caller asserted; the roles mapped to the user (USER
// mappings, for a "user" subject only), to the app (APP, for an "app"
// subject), to each of its groups (GROUP: the stored user's groups and the
// ones the request or token gave); the roles of the claim rules that match
// the subject's claims (a rule with an issuer only for tokens of that
// issuer); and then, transitively, every role included by a held role or
// mapped from it by a ROLE mapping. There is no limit on groups or roles.
// Roles are sorted; each carries the step that gave it (the shortest way
// found, ties broken in the order above) and the role that step came from,
// so Resolution.Why renders a whole chain: "staff via role editor includes
// staff; editor via role mapping 3: USER 1 → editor".
//
// Claim rules compare case-sensitively with the flattened claim's values
// (engine.FlattenClaims; a number or boolean as its JSON text): contains
// holds when one value equals Value (membership in a list, equality with a
// string), equals when the claim has exactly one value and it equals Value,
// present when the claim is there at all (even an empty list).
//
// # Checks
//
// Directory.Check builds the engine request: principal:id and type from
// the subject, principal:roles and principal:groups from the resolution,
// principal:<attr> from the subject's attributes with the stored user's or
// app's filling the keys the subject does not have (compared ignoring case,
// as condition keys are), jwt:<claim> from the claims, resource:* from the
// resource, and the context as given, with request:time (CheckInput.Now in
// RFC 3339, UTC, to the second) and request:ip (CheckInput.IP) replacing
// any context value of those keys when set.
//
// # The LoopBack trap
//
// LoopBack's ACL "DENY $everyone, ALLOW admin" lets the more specific entry
// win; under IAM's deny-overrides the Deny also matches the admin (who holds
// $everyone) and wins. Directory.Validate warns (CodeDenyOverridesRole) when
// a write creates such a pair: a Deny with no condition but one naming
// $everyone or $authenticated in principal:roles, in a policy attached to
// the role $everyone or $authenticated (or, without any condition, attached
// there), or a resource policy Deny for Principal "*"; beside an Allow for
// another role (named in a principal:roles condition, attached to the role,
// or a resource policy's Role principal) whose actions and resources can
// meet the Deny's. A Deny and Allow in the same document are paired
// whether or not the document is attached yet. A Deny with other
// conditions ("deny everyone outside the office network") is taken as
// meant. Directory.Explain repeats the warning when such a Deny decided a
// check of a subject holding the allowed role.
package directory
