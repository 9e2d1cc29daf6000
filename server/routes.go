package server

import (
	"net/http"

	"gatehouse.dev/gatehouse/directory"
)

// kindRoute ties a directory kind to its URL collection and to the
// gatehouse action kind that authorizes it (docs/api.md).
type kindRoute struct {
	// collection is the URL segment: /v1/stores/{store}/<collection>/{id}.
	collection string
	// kind is the directory kind, also the <kind> segment of the
	// resource gatehouse:store/<store>/<kind>/<id>.
	kind string
	// action is the <Kind> of gatehouse:Read<Kind>, Put<Kind>,
	// Delete<Kind>. Resource policies and boundaries are policies.
	action string
	// post: created by POST with a server-chosen id (role mappings)
	// rather than PUT.
	post bool
}

var kindRoutes = []kindRoute{
	{collection: "policies", kind: directory.KindPolicy, action: "Policy"},
	{collection: "roles", kind: directory.KindRole, action: "Role"},
	{collection: "role-mappings", kind: directory.KindRoleMapping, action: "RoleMapping", post: true},
	{collection: "claim-rules", kind: directory.KindClaimRule, action: "ClaimRule"},
	{collection: "users", kind: directory.KindUser, action: "User"},
	{collection: "groups", kind: directory.KindGroup, action: "Group"},
	{collection: "apps", kind: directory.KindApp, action: "App"},
	{collection: "resource-policies", kind: directory.KindResourcePolicy, action: "Policy"},
	{collection: "boundaries", kind: directory.KindBoundary, action: "Policy"},
	{collection: "issuers", kind: directory.KindIssuer, action: "Issuer"},
}

// routes registers every endpoint.
func (s *Server) routes() {
	s.mux = http.NewServeMux()
	public := routeOptions{public: true, quiet: true}
	quiet := routeOptions{quiet: true}
	loud := routeOptions{}
	oauth := routeOptions{public: true}

	s.handle("GET /healthz", public, s.handleHealth)
	s.handle("GET /readyz", public, s.handleReady)
	s.handle("GET /metrics", public, s.handleMetrics)

	s.handle("POST /v1/keys", loud, s.handleCreateKey)
	s.handle("GET /v1/keys", quiet, s.handleListKeys)
	s.handle("GET /v1/keys/{id}", quiet, s.handleGetKey)
	s.handle("DELETE /v1/keys/{id}", loud, s.handleDeleteKey)

	s.handle("POST /v1/stores", loud, s.handleCreateStore)
	s.handle("GET /v1/stores", quiet, s.handleListStores)
	s.handle("GET /v1/stores/{store}", quiet, s.handleGetStore)

	for _, kr := range kindRoutes {
		base := "/v1/stores/{store}/" + kr.collection
		s.handle("GET "+base, quiet, s.handleList(kr))
		s.handle("GET "+base+"/{id}", quiet, s.handleGet(kr))
		s.handle("DELETE "+base+"/{id}", loud, s.handleDelete(kr))
		if kr.post {
			s.handle("POST "+base, loud, s.handlePost(kr))
		} else {
			s.handle("PUT "+base+"/{id}", loud, s.handlePut(kr))
		}
	}

	s.handle("POST /v1/stores/{store}/check", quiet, s.handleCheck)
	s.handle("POST /v1/stores/{store}/check/batch", quiet, s.handleBatch)
	s.handle("POST /v1/stores/{store}/explain", quiet, s.handleExplain)
	s.handle("GET /v1/stores/{store}/decisions/{id}", quiet, s.handleGetDecision)
	s.handle("POST /v1/stores/{store}/decisions/{id}/explain", quiet, s.handleReplay)

	// Identity (issue 4). The OAuth endpoints authenticate their clients
	// themselves, as their RFCs say; discovery and keys are public.
	s.handle("POST /v1/stores/{store}/whoami", quiet, s.handleWhoami)
	s.handle("POST /v1/stores/{store}/assume-role", loud, s.handleAssumeRole)
	s.handle("POST /v1/stores/{store}/oauth2/token", oauth, s.handleToken)
	s.handle("POST /v1/stores/{store}/oauth2/introspect", oauth, s.handleIntrospect)
	s.handle("POST /v1/stores/{store}/oauth2/revoke", oauth, s.handleRevoke)
	s.handle("GET /v1/stores/{store}/.well-known/openid-configuration", public, s.handleDiscovery)
	s.handle("GET /v1/stores/{store}/.well-known/jwks.json", public, s.handleJWKS)
	s.handle("GET /v1/stores/{store}/signing-keys", quiet, s.handleListSigningKeys)
	s.handle("POST /v1/stores/{store}/signing-keys/rotate", loud, s.handleRotateKeys)
	s.handle("PUT /v1/stores/{store}/users/{id}/password", loud, s.handlePutPassword)
	s.handle("DELETE /v1/stores/{store}/users/{id}/password", loud, s.handleDeletePassword)

	s.handle("/", public, s.fallback)
	s.handler = s.mux
}
