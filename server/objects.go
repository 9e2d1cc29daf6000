package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/policy"
	"gatehouse.dev/gatehouse/store"
)

// writeResponse answers a successful write.
type writeResponse struct {
	// ID is the object's id, for writes that choose it (role mappings).
	ID       string    `json:"id,omitempty"`
	Revision int64     `json:"revision"`
	Warnings []warning `json:"warnings,omitempty"`
}

// revisionResponse answers a delete.
type revisionResponse struct {
	Revision int64     `json:"revision"`
	Warnings []warning `json:"warnings,omitempty"`
}

// warning is one warning of a write: a positioned finding in the body
// (pointer, line, col) or a directory warning about what the write does
// (refs), such as the LoopBack trap (code directory.deny_overrides_role).
type warning struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Pointer string   `json:"pointer,omitempty"`
	Line    int      `json:"line,omitempty"`
	Col     int      `json:"col,omitempty"`
	Refs    []string `json:"refs,omitempty"`
}

// warningsOf gathers a validation's findings and directory warnings.
func warningsOf(v *directory.Validation) []warning {
	if v == nil {
		return nil
	}
	var out []warning
	for _, f := range v.Findings {
		if f.Severity != policy.SeverityWarning {
			continue
		}
		out = append(out, warning{Code: f.Code, Message: f.Message, Pointer: f.Pointer, Line: f.Line, Col: f.Col})
	}
	out = append(out, directoryWarnings(v.Warnings)...)
	return out
}

func directoryWarnings(ws []directory.Warning) []warning {
	var out []warning
	for _, w := range ws {
		out = append(out, warning{Code: w.Code, Message: w.Message, Refs: w.Refs})
	}
	return out
}

// objectJSON is an object as GET shows it: its fields as decoded, plus the
// revision that last wrote it and when.
func objectJSON(e directory.Entry) (json.RawMessage, error) {
	b, err := json.Marshal(e.Object)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[len(b)-1] != '}' {
		return b, nil
	}
	out := append([]byte(nil), b[:len(b)-1]...)
	if len(b) > 2 {
		out = append(out, ',')
	}
	out = append(out, `"revision":`...)
	out = strconv.AppendInt(out, e.Stored.Revision, 10)
	if !e.Stored.UpdatedAt.IsZero() {
		out = append(out, `,"updated_at":"`...)
		out = e.Stored.UpdatedAt.UTC().AppendFormat(out, time.RFC3339Nano)
		out = append(out, '"')
	}
	return append(out, '}'), nil
}

// handlePut is PUT /v1/stores/{store}/<collection>/{id}: 201 created, 200
// replaced.
func (s *Server) handlePut(kr kindRoute) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		storeID, id := r.PathValue("store"), r.PathValue("id")
		st, err := s.authorizedStore(r, "gatehouse:Put"+kr.action, objectResource(storeID, kr.kind, id))
		if err != nil {
			return err
		}
		body, err := readBody(r)
		if err != nil {
			return err
		}
		if kr.kind == directory.KindIssuer {
			if err := checkIssuerBody(id, body); err != nil {
				return err
			}
		}
		res, err := s.commit(r.Context(), st, []store.Change{{Kind: kr.kind, ID: id, Body: body}}, nil)
		if err != nil {
			return err
		}
		status := http.StatusCreated
		if res.existed {
			status = http.StatusOK
		}
		writeJSON(w, status, writeResponse{Revision: res.revision, Warnings: warningsOf(res.validation)})
		return nil
	}
}

// handlePost is POST /v1/stores/{store}/<collection> for kinds whose ids the
// server chooses (role mappings): 201 with the id.
func (s *Server) handlePost(kr kindRoute) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		storeID := r.PathValue("store")
		st, err := s.authorizedStore(r, "gatehouse:Put"+kr.action, objectResource(storeID, kr.kind, "*"))
		if err != nil {
			return err
		}
		body, err := readBody(r)
		if err != nil {
			return err
		}
		changes := []store.Change{{Kind: kr.kind, Body: body}}
		res, err := s.commit(r.Context(), st, changes, func(d *directory.Directory, ch []store.Change) error {
			ch[0].ID = nextID(d, kr.kind)
			return nil
		})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, writeResponse{ID: changes[0].ID, Revision: res.revision, Warnings: warningsOf(res.validation)})
		return nil
	}
}

// nextID chooses the id of a new object of a kind whose ids the server
// gives: a number, the store's next revision (the commit that creates it),
// so ids grow like LoopBack's and never repeat within a store; should an
// object hold that id already (written under it by an import), one past
// the largest numeric id.
func nextID(d *directory.Directory, kind string) string {
	id := strconv.FormatInt(d.Revision()+1, 10)
	if _, taken := d.Get(kind, id); !taken {
		return id
	}
	var max int64
	cursor := ""
	for {
		page, next := d.List(kind, cursor, directory.MaxListLimit)
		for _, e := range page {
			if n, err := strconv.ParseInt(e.Stored.ID, 10, 64); err == nil && n > max {
				max = n
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return strconv.FormatInt(max+1, 10)
}

// handleDelete is DELETE /v1/stores/{store}/<collection>/{id}.
func (s *Server) handleDelete(kr kindRoute) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		storeID, id := r.PathValue("store"), r.PathValue("id")
		st, err := s.authorizedStore(r, "gatehouse:Delete"+kr.action, objectResource(storeID, kr.kind, id))
		if err != nil {
			return err
		}
		if _, ok := st.snapshot().Get(kr.kind, id); !ok {
			return errNoObject(kr.kind, id, storeID)
		}
		res, err := s.commit(r.Context(), st, []store.Change{{Kind: kr.kind, ID: id}}, nil)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, revisionResponse{Revision: res.revision, Warnings: warningsOf(res.validation)})
		return nil
	}
}

func errNoObject(kind, id, storeID string) error {
	return notFound("no %s %q in store %q", strings.ReplaceAll(kind, "_", " "), id, storeID)
}

// handleGet is GET /v1/stores/{store}/<collection>/{id}.
func (s *Server) handleGet(kr kindRoute) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		storeID, id := r.PathValue("store"), r.PathValue("id")
		st, err := s.authorizedStore(r, "gatehouse:Read"+kr.action, objectResource(storeID, kr.kind, id))
		if err != nil {
			return err
		}
		e, ok := st.snapshot().Get(kr.kind, id)
		if !ok {
			return errNoObject(kr.kind, id, storeID)
		}
		b, err := objectJSON(e)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, b)
		return nil
	}
}

// handleList is GET /v1/stores/{store}/<collection>?limit=&cursor= (and,
// for role mappings, &principal_type=&principal_id=&role=). Reading a list
// needs Read<Kind> on gatehouse:store/<store>/<kind>/*.
func (s *Server) handleList(kr kindRoute) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		storeID := r.PathValue("store")
		st, err := s.authorizedStore(r, "gatehouse:Read"+kr.action, objectResource(storeID, kr.kind, "*"))
		if err != nil {
			return err
		}
		q := r.URL.Query()
		limit, cursor, err := pageParams(r)
		if err != nil {
			return err
		}
		d := st.snapshot()
		var entries []directory.Entry
		var next string
		if kr.kind == directory.KindRoleMapping {
			f := directory.MappingFilter{
				PrincipalType: directory.PrincipalType(strings.ToUpper(firstOf(q, "principal_type", "principalType"))),
				PrincipalID:   firstOf(q, "principal_id", "principalId"),
				Role:          q.Get("role"),
			}
			switch f.PrincipalType {
			case "", directory.PrincipalUser, directory.PrincipalGroup, directory.PrincipalApp, directory.PrincipalRole:
			default:
				return badRequest("principal_type must be USER, GROUP, APP or ROLE, not %q", f.PrincipalType)
			}
			entries, next = d.ListMappings(f, cursor, limit)
		} else {
			entries, next = d.List(kr.kind, cursor, limit)
		}
		p := page[json.RawMessage]{Items: make([]json.RawMessage, 0, len(entries))}
		for _, e := range entries {
			b, err := objectJSON(e)
			if err != nil {
				return err
			}
			p.Items = append(p.Items, b)
		}
		if next != "" {
			p.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(next))
		}
		writeJSON(w, http.StatusOK, p)
		return nil
	}
}

// firstOf returns the first non-empty query value among names (a
// snake_case name and its LoopBack alias).
func firstOf(q map[string][]string, names ...string) string {
	for _, n := range names {
		if v := q[n]; len(v) > 0 && v[0] != "" {
			return v[0]
		}
	}
	return ""
}

// pageParams reads ?limit= and ?cursor= for directory lists.
func pageParams(r *http.Request) (limit int, cursor string, err error) {
	q := r.URL.Query()
	limit = defaultPageLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageLimit {
			return 0, "", badRequest("limit must be a whole number from 1 to %d, not %q", maxPageLimit, v)
		}
		limit = n
	}
	if v := q.Get("cursor"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(b) == 0 {
			return 0, "", badRequest("cursor %q is not one this server gave out; pass next_cursor from the previous page", v)
		}
		cursor = string(b)
	}
	return limit, cursor, nil
}
