package client

import (
	"context"
	"net/http"
	"net/url"
)

// Store is one application store of a server: its objects, checks and
// decision log. Get one with Client.Store; it is a handle, and calling it
// does not ask the server whether the store exists (an unknown store is a
// 404 *Error on every call).
type Store struct {
	c  *Client
	id string
}

// Store returns the handle of the store id ("default" always exists).
func (c *Client) Store(id string) *Store { return &Store{c: c, id: id} }

// ID returns the store's id.
func (s *Store) ID() string { return s.id }

// Info returns the store's revision and object counts (GetStore).
func (s *Store) Info(ctx context.Context) (*StoreInfo, error) { return s.c.GetStore(ctx, s.id) }

func (s *Store) path(collection string) string {
	return "/v1/stores/" + seg(s.id) + "/" + collection
}

func (s *Store) objectPath(collection, id string) string {
	return s.path(collection) + "/" + seg(id)
}

// put sends PUT <collection>/<id> with body.
func (s *Store) put(ctx context.Context, collection, id string, body any) (*WriteResult, error) {
	var out WriteResult
	status, err := s.c.do(ctx, http.MethodPut, s.objectPath(collection, id), body, &out)
	if err != nil {
		return nil, err
	}
	out.Created = status == http.StatusCreated
	return &out, nil
}

// get reads one object into out.
func get[T any](ctx context.Context, s *Store, collection, id string) (*T, error) {
	var out T
	if _, err := s.c.do(ctx, http.MethodGet, s.objectPath(collection, id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// del deletes one object.
func (s *Store) del(ctx context.Context, collection, id string) (*WriteResult, error) {
	var out WriteResult
	if _, err := s.c.do(ctx, http.MethodDelete, s.objectPath(collection, id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// list reads one page of a collection.
func list[T any](ctx context.Context, s *Store, collection string, opts ListOptions, extra url.Values) (*Page[T], error) {
	var out Page[T]
	if _, err := s.c.do(ctx, http.MethodGet, listPath(s.path(collection), opts, extra), nil, &out); err != nil {
		return nil, err
	}
	if out.Items == nil {
		out.Items = []T{}
	}
	return &out, nil
}

// PutPolicy creates or replaces the identity policy id. A document with
// errors is an *Error (422, code invalid) whose Findings say where; lint
// warnings come back in the result.
func (s *Store) PutPolicy(ctx context.Context, id string, p Policy) (*WriteResult, error) {
	body, err := withDocuments(policyBody{Description: p.Description}, document{"document", p.Document})
	if err != nil {
		return nil, err
	}
	return s.put(ctx, "policies", id, body)
}

// GetPolicy reads the policy id.
func (s *Store) GetPolicy(ctx context.Context, id string) (*Policy, error) {
	return get[Policy](ctx, s, "policies", id)
}

// DeletePolicy deletes the policy id; one still attached is refused (409,
// code in_use, Refs naming the referrers).
func (s *Store) DeletePolicy(ctx context.Context, id string) (*WriteResult, error) {
	return s.del(ctx, "policies", id)
}

// ListPolicies lists policies by id.
func (s *Store) ListPolicies(ctx context.Context, opts ListOptions) (*Page[Policy], error) {
	return list[Policy](ctx, s, "policies", opts, nil)
}

// PutRole creates or replaces the role name. A role cycle is refused (422,
// code role_cycle); a role that names missing policies or roles too (422,
// code missing_reference).
func (s *Store) PutRole(ctx context.Context, name string, r Role) (*WriteResult, error) {
	body, err := withDocuments(roleBody{Description: r.Description, Policies: r.Policies, Includes: r.Includes,
		MaxSessionSeconds: r.MaxSessionSeconds}, document{"trust_policy", r.TrustPolicy})
	if err != nil {
		return nil, err
	}
	return s.put(ctx, "roles", name, body)
}

// GetRole reads the role name.
func (s *Store) GetRole(ctx context.Context, name string) (*Role, error) {
	return get[Role](ctx, s, "roles", name)
}

// DeleteRole deletes the role name.
func (s *Store) DeleteRole(ctx context.Context, name string) (*WriteResult, error) {
	return s.del(ctx, "roles", name)
}

// ListRoles lists roles by name.
func (s *Store) ListRoles(ctx context.Context, opts ListOptions) (*Page[Role], error) {
	return list[Role](ctx, s, "roles", opts, nil)
}

// CreateRoleMapping creates a role mapping; the server chooses its id
// (returned in WriteResult.ID). m.ID is ignored.
func (s *Store) CreateRoleMapping(ctx context.Context, m RoleMapping) (*WriteResult, error) {
	var out WriteResult
	status, err := s.c.do(ctx, http.MethodPost, s.path("role-mappings"),
		mappingBody{PrincipalType: m.PrincipalType, PrincipalID: m.PrincipalID, Role: m.Role}, &out)
	if err != nil {
		return nil, err
	}
	out.Created = status == http.StatusCreated
	return &out, nil
}

// GetRoleMapping reads the role mapping id.
func (s *Store) GetRoleMapping(ctx context.Context, id string) (*RoleMapping, error) {
	return get[RoleMapping](ctx, s, "role-mappings", id)
}

// DeleteRoleMapping deletes the role mapping id.
func (s *Store) DeleteRoleMapping(ctx context.Context, id string) (*WriteResult, error) {
	return s.del(ctx, "role-mappings", id)
}

// ListRoleMappings lists the role mappings that f selects, by id.
func (s *Store) ListRoleMappings(ctx context.Context, f RoleMappingFilter, opts ListOptions) (*Page[RoleMapping], error) {
	return list[RoleMapping](ctx, s, "role-mappings", opts, url.Values{
		"principal_type": {f.PrincipalType}, "principal_id": {f.PrincipalID}, "role": {f.Role}})
}

// RoleMappings returns the ListFunc of the role mappings f selects, for
// All and Items.
func (s *Store) RoleMappings(f RoleMappingFilter) ListFunc[RoleMapping] {
	return func(ctx context.Context, opts ListOptions) (*Page[RoleMapping], error) {
		return s.ListRoleMappings(ctx, f, opts)
	}
}

// PutClaimRule creates or replaces the claim rule id.
func (s *Store) PutClaimRule(ctx context.Context, id string, r ClaimRule) (*WriteResult, error) {
	return s.put(ctx, "claim-rules", id, claimRuleBody{Description: r.Description, Claim: r.Claim, Op: r.Op,
		Value: r.Value, Role: r.Role, Issuer: r.Issuer})
}

// GetClaimRule reads the claim rule id.
func (s *Store) GetClaimRule(ctx context.Context, id string) (*ClaimRule, error) {
	return get[ClaimRule](ctx, s, "claim-rules", id)
}

// DeleteClaimRule deletes the claim rule id.
func (s *Store) DeleteClaimRule(ctx context.Context, id string) (*WriteResult, error) {
	return s.del(ctx, "claim-rules", id)
}

// ListClaimRules lists claim rules by id.
func (s *Store) ListClaimRules(ctx context.Context, opts ListOptions) (*Page[ClaimRule], error) {
	return list[ClaimRule](ctx, s, "claim-rules", opts, nil)
}

// PutUser creates or replaces the user id.
func (s *Store) PutUser(ctx context.Context, id string, u User) (*WriteResult, error) {
	return s.put(ctx, "users", id, userBody{Attributes: u.Attributes, Groups: u.Groups, Policies: u.Policies})
}

// GetUser reads the user id.
func (s *Store) GetUser(ctx context.Context, id string) (*User, error) {
	return get[User](ctx, s, "users", id)
}

// DeleteUser deletes the user id.
func (s *Store) DeleteUser(ctx context.Context, id string) (*WriteResult, error) {
	return s.del(ctx, "users", id)
}

// ListUsers lists users by id.
func (s *Store) ListUsers(ctx context.Context, opts ListOptions) (*Page[User], error) {
	return list[User](ctx, s, "users", opts, nil)
}

// PutGroup creates or replaces the group id.
func (s *Store) PutGroup(ctx context.Context, id string, g Group) (*WriteResult, error) {
	return s.put(ctx, "groups", id, groupBody{Description: g.Description, Policies: g.Policies})
}

// GetGroup reads the group id.
func (s *Store) GetGroup(ctx context.Context, id string) (*Group, error) {
	return get[Group](ctx, s, "groups", id)
}

// DeleteGroup deletes the group id.
func (s *Store) DeleteGroup(ctx context.Context, id string) (*WriteResult, error) {
	return s.del(ctx, "groups", id)
}

// ListGroups lists groups by id.
func (s *Store) ListGroups(ctx context.Context, opts ListOptions) (*Page[Group], error) {
	return list[Group](ctx, s, "groups", opts, nil)
}

// PutApp creates or replaces the app id.
func (s *Store) PutApp(ctx context.Context, id string, a App) (*WriteResult, error) {
	return s.put(ctx, "apps", id, appBody{Description: a.Description, Attributes: a.Attributes, Policies: a.Policies})
}

// GetApp reads the app id.
func (s *Store) GetApp(ctx context.Context, id string) (*App, error) {
	return get[App](ctx, s, "apps", id)
}

// DeleteApp deletes the app id.
func (s *Store) DeleteApp(ctx context.Context, id string) (*WriteResult, error) {
	return s.del(ctx, "apps", id)
}

// ListApps lists apps by id.
func (s *Store) ListApps(ctx context.Context, opts ListOptions) (*Page[App], error) {
	return list[App](ctx, s, "apps", opts, nil)
}

// PutResourcePolicy creates or replaces the resource policy id.
func (s *Store) PutResourcePolicy(ctx context.Context, id string, p ResourcePolicy) (*WriteResult, error) {
	body, err := withDocuments(resourcePolicyBody{Description: p.Description, Resource: p.Resource}, document{"document", p.Document})
	if err != nil {
		return nil, err
	}
	return s.put(ctx, "resource-policies", id, body)
}

// GetResourcePolicy reads the resource policy id.
func (s *Store) GetResourcePolicy(ctx context.Context, id string) (*ResourcePolicy, error) {
	return get[ResourcePolicy](ctx, s, "resource-policies", id)
}

// DeleteResourcePolicy deletes the resource policy id.
func (s *Store) DeleteResourcePolicy(ctx context.Context, id string) (*WriteResult, error) {
	return s.del(ctx, "resource-policies", id)
}

// ListResourcePolicies lists resource policies by id.
func (s *Store) ListResourcePolicies(ctx context.Context, opts ListOptions) (*Page[ResourcePolicy], error) {
	return list[ResourcePolicy](ctx, s, "resource-policies", opts, nil)
}

// PutBoundary creates or replaces the permissions boundary id.
func (s *Store) PutBoundary(ctx context.Context, id string, b Boundary) (*WriteResult, error) {
	body, err := withDocuments(boundaryBody{Description: b.Description, PrincipalType: b.PrincipalType,
		PrincipalID: b.PrincipalID}, document{"document", b.Document})
	if err != nil {
		return nil, err
	}
	return s.put(ctx, "boundaries", id, body)
}

// GetBoundary reads the boundary id.
func (s *Store) GetBoundary(ctx context.Context, id string) (*Boundary, error) {
	return get[Boundary](ctx, s, "boundaries", id)
}

// DeleteBoundary deletes the boundary id.
func (s *Store) DeleteBoundary(ctx context.Context, id string) (*WriteResult, error) {
	return s.del(ctx, "boundaries", id)
}

// ListBoundaries lists boundaries by id.
func (s *Store) ListBoundaries(ctx context.Context, opts ListOptions) (*Page[Boundary], error) {
	return list[Boundary](ctx, s, "boundaries", opts, nil)
}
