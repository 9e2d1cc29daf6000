package oidctest

import (
	"context"
	"html/template"
	"net/http"
)

// The provider's login page: the user interface the op package leaves to
// the application, as in the library's own examples. GET shows a form for
// an auth request; POST checks the credentials, completes the request and
// sends the browser back to the provider's authorize callback.
const (
	loginPath         = "/login"
	formAuthRequestID = "authRequestID"
	formUsername      = "username"
	formPassword      = "password"

	// maxLoginForm bounds the login form body.
	maxLoginForm = 64 << 10
)

var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html><head><title>Sign in</title></head><body>
<form method="post" action="{{.Action}}">
<input type="hidden" name="` + formAuthRequestID + `" value="{{.ID}}">
<label>Username <input type="text" name="` + formUsername + `"></label>
<label>Password <input type="password" name="` + formPassword + `"></label>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
<button type="submit">Sign in</button>
</form>
</body></html>
`))

type loginHandler struct {
	storage *storage
	// callback is op.AuthCallbackURL of the provider: where a completed
	// auth request continues.
	callback func(context.Context, string) string
}

func (h *loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "cannot read the login form: "+err.Error(), http.StatusBadRequest)
		return
	}
	id := r.FormValue(formAuthRequestID)
	switch r.Method {
	case http.MethodGet:
		h.render(w, http.StatusOK, id, "")
	case http.MethodPost:
		err := h.storage.checkLogin(id, r.PostFormValue(formUsername), r.PostFormValue(formPassword))
		if err != nil {
			h.render(w, http.StatusUnauthorized, id, err.Error())
			return
		}
		http.Redirect(w, r, h.callback(r.Context(), id), http.StatusFound)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (h *loginHandler) render(w http.ResponseWriter, status int, id, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = loginPage.Execute(w, struct{ Action, ID, Error string }{loginPath, id, msg})
}
