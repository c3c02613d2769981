package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Error codes of the JSON error body; openapi.yaml lists the same enum.
const (
	codeBadRequest      = "bad_request"
	codeValidation      = "validation_failed"
	codeNotFound        = "not_found"
	codeOutOfStock      = "out_of_stock"
	codeTooLarge        = "payload_too_large"
	codeUnsupportedType = "unsupported_media_type"
	codeInvalidOptions  = "invalid_options"
)

// apiError is the JSON body of every 4xx and 5xx response.
type apiError struct {
	status  int
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Fields  []fieldError `json:"fields,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// badParam is a 400 naming the query or path parameter at fault.
func badParam(name, format string, args ...any) *apiError {
	e := errorf(http.StatusBadRequest, codeBadRequest, "parameter %s is invalid", name)
	e.Fields = []fieldError{{Name: name, Reason: fmt.Sprintf(format, args...)}}
	return e
}

// writeJSON writes v as the JSON body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, errorf(http.StatusInternalServerError, "internal", "encoding response: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// writeError writes err as an error body: an *apiError as itself, anything
// else as a 500.
func writeError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = errorf(http.StatusInternalServerError, "internal", "%v", err)
	}
	body, _ := json.Marshal(e) // an apiError always encodes
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_, _ = w.Write(append(body, '\n'))
}

// decodeJSON reads a JSON object of at most maxBodySize bytes from r into v,
// rejecting unknown fields, trailing data and non-JSON content types.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); !isJSON(ct) {
		return errorf(http.StatusUnsupportedMediaType, codeUnsupportedType,
			"content type %q is not application/json", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodySize))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errorf(http.StatusBadRequest, codeBadRequest, "body has data after the JSON object")
	}
	return nil
}

func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// bodyError turns a JSON decoding error into a 400 or 413 naming the problem.
func bodyError(err error) *apiError {
	var (
		tooLarge *http.MaxBytesError
		typeErr  *json.UnmarshalTypeError
		syntax   *json.SyntaxError
	)
	switch {
	case errors.As(err, &tooLarge):
		return errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "body exceeds %d bytes", tooLarge.Limit)
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return errorf(http.StatusBadRequest, codeBadRequest, "body must be a JSON object, not %s", typeErr.Value)
	case errors.As(err, &typeErr):
		e := errorf(http.StatusBadRequest, codeBadRequest, "body field %s has the wrong type", typeErr.Field)
		e.Fields = []fieldError{{Name: typeErr.Field, Reason: "must be " + jsonType(typeErr.Type.Kind().String())}}
		return e
	case errors.As(err, &syntax):
		return errorf(http.StatusBadRequest, codeBadRequest, "body is not valid JSON at byte %d", syntax.Offset)
	case errors.Is(err, io.EOF):
		return errorf(http.StatusBadRequest, codeBadRequest, "body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, codeBadRequest, "body is truncated JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e := errorf(http.StatusBadRequest, codeBadRequest, "body field %s is not allowed", name)
		e.Fields = []fieldError{{Name: name, Reason: "is not a field of this body"}}
		return e
	default:
		return errorf(http.StatusBadRequest, codeBadRequest, "reading body: %v", err)
	}
}

// jsonType names a Go kind the way a JSON client thinks of it.
func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "a boolean"
	case "float64", "float32":
		return "a number"
	default:
		return "an integer"
	}
}

// intParam parses query parameter name as an integer in min..max, returning
// def when it is absent.
func intParam(r *http.Request, name string, def, min, max int) (int, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, badParam(name, "%q is not an integer", raw)
	}
	if n < min || n > max {
		return 0, badParam(name, "%d is outside %d..%d", n, min, max)
	}
	return n, nil
}

// pathID parses the {id} path value as a positive book id.
func pathID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return 0, badParam("id", "%q is not a positive integer", raw)
	}
	return id, nil
}
