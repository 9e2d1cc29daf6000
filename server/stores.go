package server

import (
	"errors"
	"net/http"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/store"
)

// storeInfo is a store as the API shows it.
type storeInfo struct {
	ID        string    `json:"id"`
	Revision  int64     `json:"revision"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	// Objects counts the store's objects by kind (GET of one store).
	Objects map[string]int `json:"objects,omitempty"`
}

type createStoreRequest struct {
	ID string `json:"id"`
}

// handleCreateStore is POST /v1/stores.
func (s *Server) handleCreateStore(w http.ResponseWriter, r *http.Request) error {
	var req createStoreRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := s.authorize(callerOf(r), "gatehouse:PutStore", storeResource(req.ID)); err != nil {
		return err
	}
	if !validStoreID(req.ID) {
		return badRequest("store id %q is not valid: 1 to 63 characters, lower-case letters, digits and '-', starting with a letter or digit", req.ID)
	}
	info, err := s.store.CreateStore(r.Context(), req.ID)
	if err != nil {
		if errors.Is(err, store.ErrExists) {
			return errorf(http.StatusConflict, codeAlreadyExists, "store %q already exists", req.ID)
		}
		return err
	}
	if _, err := s.storeState(r.Context(), req.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, storeInfo{ID: info.ID, Revision: info.Revision, CreatedAt: info.CreatedAt})
	return nil
}

// handleListStores is GET /v1/stores.
func (s *Server) handleListStores(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorize(callerOf(r), "gatehouse:ReadStore", storeResource("*")); err != nil {
		return err
	}
	infos, err := s.store.ListStores(r.Context())
	if err != nil {
		return err
	}
	items := make([]storeInfo, len(infos))
	for i, in := range infos {
		items[i] = storeInfo{ID: in.ID, Revision: in.Revision, CreatedAt: in.CreatedAt}
	}
	p, err := paginate(r, items, func(i storeInfo) string { return i.ID })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// handleGetStore is GET /v1/stores/{store}: the revision this server
// serves and how many objects of each kind the store holds.
func (s *Server) handleGetStore(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("store")
	if err := s.authorize(callerOf(r), "gatehouse:ReadStore", storeResource(id)); err != nil {
		return err
	}
	st, err := s.storeState(r.Context(), id)
	if err != nil {
		return err
	}
	d := st.snapshot()
	info := storeInfo{ID: id, Revision: d.Revision(), Objects: map[string]int{}}
	for _, k := range directory.Kinds() {
		info.Objects[k] = d.Len(k)
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}
