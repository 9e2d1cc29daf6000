package workload

import (
	"encoding/json"
	"fmt"

	"gatehouse.dev/gatehouse/policy"
)

// DocStatements is the most statements rendered into one policy document, so
// that every document stays well inside policy.MaxStatements and
// policy.MaxDocumentBytes.
const DocStatements = 1_000

// IAM condition keys and values the workloads use.
const (
	KeyRoles          = "principal:roles"
	KeyResourceTenant = "resource:tenant"
	KeyResourceStatus = "resource:status"
	VarPrincipalTen   = "${principal:tenant}"
	VarClaimCompany   = "${jwt:custom:companyId}"
	AttrTenant        = "tenant"
	AttrStatus        = "status"
	ClaimCompany      = "custom:companyId"
)

// condition is one (operator, key, value) test of a rendered statement.
type condition struct {
	op    policy.Operator
	key   string
	value string
}

// conditions returns s's conditions in the order they are rendered; the role
// test only when withRole (an attached policy needs none).
func (s *Statement) conditions(withRole bool) []condition {
	var cs []condition
	if s.Role != "" && withRole {
		cs = append(cs, condition{policy.Operator{Base: policy.OpStringEquals, Set: policy.ForAnyValue}, KeyRoles, s.Role})
	}
	switch s.Tenant {
	case TenantPrincipal:
		cs = append(cs, condition{policy.Operator{Base: policy.OpStringEquals}, KeyResourceTenant, VarPrincipalTen})
	case TenantClaim:
		cs = append(cs, condition{policy.Operator{Base: policy.OpStringEquals}, KeyResourceTenant, VarClaimCompany})
	}
	if s.Status != "" {
		cs = append(cs, condition{policy.Operator{Base: policy.OpStringEquals}, KeyResourceStatus, s.Status})
	}
	return cs
}

// docName returns the file name of the i'th rendered document.
func (w *Workload) docName(i int) string { return fmt.Sprintf("%s-%d-%03d.json", w.Name, w.Size, i) }

// sid returns the Sid of statement i of the workload.
func sid(i int) string { return fmt.Sprintf("S%d", i) }

// Documents renders the workload as gatehouse identity policies: Version
// 2012-10-17 (so variables are substituted), at most [DocStatements]
// statements per document, each statement with one Action, one Resource and
// its conditions:
//
//	role:   "ForAnyValue:StringEquals": {"principal:roles": ROLE}
//	tenant: "StringEquals": {"resource:tenant": "${principal:tenant}"}
//	        (or "${jwt:custom:companyId}")
//	status: "StringEquals": {"resource:status": STATUS}
//
// The documents are built directly, as policy.Parse would build them from
// [Workload.PolicyJSON] (positions aside).
func (w *Workload) Documents() []*policy.Document {
	var docs []*policy.Document
	for start := 0; start < len(w.Statements); start += DocStatements {
		end := min(start+DocStatements, len(w.Statements))
		doc := &policy.Document{
			File:            w.docName(len(docs)),
			Version:         policy.Version2012,
			StatementIsList: true,
		}
		for i := start; i < end; i++ {
			doc.Statements = append(doc.Statements, w.Statements[i].document(i, i-start, true))
		}
		docs = append(docs, doc)
	}
	return docs
}

func str(v, path string) policy.Str { return policy.Str{Value: v, Path: path} }

func (s *Statement) document(global, index int, withRole bool) *policy.Statement {
	path := fmt.Sprintf("/Statement/%d", index)
	st := &policy.Statement{
		Index:    index,
		Path:     path,
		Sid:      sid(global),
		Action:   []policy.Str{str(s.Action, path+"/Action")},
		Resource: []policy.Str{str(s.Resource, path+"/Resource")},
	}
	st.Effect = policy.Allow
	if s.Effect == Deny {
		st.Effect = policy.Deny
	}
	for _, c := range s.conditions(withRole) {
		op := c.op.String()
		cpath := path + "/Condition/" + op + "/" + c.key
		st.Conditions = append(st.Conditions, &policy.Condition{
			Operator: str(op, path+"/Condition/"+op),
			Op:       c.op,
			Key:      str(c.key, cpath),
			Values:   []policy.Str{str(c.value, cpath)},
		})
	}
	return st
}

// PolicyJSON renders the same documents as [Workload.Documents] as IAM
// JSON, one byte slice per document, for gatehouse's parser and CLI.
func (w *Workload) PolicyJSON() [][]byte {
	type stmt struct {
		Sid       string
		Effect    string
		Action    string
		Resource  string
		Condition map[string]map[string]string `json:",omitempty"`
	}
	type doc struct {
		Version   string
		Statement []stmt
	}
	var out [][]byte
	for start := 0; start < len(w.Statements); start += DocStatements {
		end := min(start+DocStatements, len(w.Statements))
		d := doc{Version: policy.Version2012}
		for i := start; i < end; i++ {
			s := &w.Statements[i]
			j := stmt{Sid: sid(i), Effect: s.Effect.String(), Action: s.Action, Resource: s.Resource}
			for _, c := range s.conditions(true) {
				if j.Condition == nil {
					j.Condition = map[string]map[string]string{}
				}
				op := c.op.String()
				if j.Condition[op] == nil {
					j.Condition[op] = map[string]string{}
				}
				j.Condition[op][c.key] = c.value
			}
			d.Statement = append(d.Statement, j)
		}
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			panic(err) // plain strings and maps always marshal
		}
		out = append(out, append(b, '\n'))
	}
	return out
}
