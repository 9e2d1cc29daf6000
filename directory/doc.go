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
package directory
