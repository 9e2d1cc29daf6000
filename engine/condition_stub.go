package engine

// TEMPORARY: a stand-in until the real condition evaluator (condition.go,
// branch `cond`) lands. It refuses every condition so that nothing is
// allowed by accident. Delete this file when merging condition.go.

import (
	"errors"

	"gatehouse.dev/gatehouse/policy"
)

type condition struct{}

func compileCondition(c *policy.Condition, vars bool) (*condition, error) {
	return nil, errors.New("conditions are not implemented yet")
}

func (c *condition) eval(r *Request) bool { return false }
