package contract

import (
	"fmt"
	"strings"
)

// OperationError is an error about one operation of a document: its method,
// path and operationId name it, Err says what is wrong.
type OperationError struct {
	Method      string
	Path        string
	OperationID string
	Err         error
}

// Error names the operation and the cause.
func (e *OperationError) Error() string {
	id := ""
	if e.OperationID != "" {
		id = " (" + e.OperationID + ")"
	}
	// A cause from this package has its own prefix: one is enough.
	return fmt.Sprintf("contract: operation %s %s%s: %s", e.Method, e.Path, id, strings.TrimPrefix(e.Err.Error(), "contract: "))
}

// Unwrap returns the cause.
func (e *OperationError) Unwrap() error { return e.Err }

// ContractError is one response that broke the contract: the operation, the
// status, the JSON pointer of the violation in the body ("" for the status
// line or headers) and the reason, which never carries the offending value.
type ContractError struct {
	OperationID string
	Status      int
	Kind        Kind
	Pointer     string
	Reason      string
	// More counts the other violations found in the same response.
	More int
}

// Error renders the violation on one line.
func (e *ContractError) Error() string {
	s := fmt.Sprintf("operation %s: status %d: %s", e.OperationID, e.Status, e.Kind)
	if e.Pointer != "" {
		s += " at " + e.Pointer
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.More > 0 {
		s += fmt.Sprintf(" (and %d more)", e.More)
	}
	return s
}
