package contract

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxCoverageKeys bounds the distinct (status, content type) pairs a
// CoverageCounter keeps; responses beyond it are counted under their status
// with the content type "(other)".
const maxCoverageKeys = 256

// ResponseCount is one response of an operation with how often it was
// seen: a documented one (Status as the document writes it: "200", "2XX" or
// "default"; ContentType the declared media type, "" when the response
// declares no content) or an undocumented one that was observed.
type ResponseCount struct {
	Status      string `json:"status"`
	ContentType string `json:"content_type,omitempty"`
	// Documented is false for a response the document does not declare: an
	// undeclared status, or a content type the status does not declare.
	Documented bool  `json:"documented"`
	Count      int64 `json:"count"`
	// Codes are the status codes seen under a range ("2XX") or "default".
	Codes map[int]int64 `json:"codes,omitempty"`
}

// Coverage is which of an operation's documented responses (status ×
// content type) were observed under load, how often, and which never were.
// It counts every response the operation's target received, warm-up
// included (discovery requests are not counted).
type Coverage struct {
	// OperationID names the operation.
	OperationID string `json:"operation_id"`
	// Responses lists the documented responses in document order (observed
	// or not), then the undocumented ones that were observed.
	Responses []ResponseCount `json:"responses"`
	// Total is the responses seen; StatusCodes counts them by code.
	Total       int64         `json:"total"`
	StatusCodes map[int]int64 `json:"status_codes,omitempty"`
	// PathParams are the operation's path parameters and ServersPath the
	// path of the document's first server: both are named when no success
	// was observed, as the likely causes.
	PathParams  []string `json:"path_params,omitempty"`
	ServersPath string   `json:"servers_path,omitempty"`
}

// CoverageCounter counts an operation's responses by status and content
// type, for Coverage. It is safe for concurrent use.
type CoverageCounter struct {
	op    *Operation
	mu    sync.Mutex
	seen  map[observedKey]int64
	order []observedKey
}

// observedKey is one status and content type (base media type, lower case).
type observedKey struct {
	status int
	ct     string
}

// NewCoverageCounter returns an empty counter for the operation.
func (o *Operation) NewCoverageCounter() *CoverageCounter {
	return &CoverageCounter{op: o, seen: map[observedKey]int64{}}
}

// record counts one response.
func (c *CoverageCounter) record(status int, contentType string) {
	k := observedKey{status, mediaBase(contentType)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.seen[k]; !ok {
		if len(c.seen) >= maxCoverageKeys {
			k.ct = "(other)"
		}
		if _, ok := c.seen[k]; !ok {
			c.order = append(c.order, k)
		}
	}
	c.seen[k]++
}

// Reset empties the counter, for reuse across runs.
func (c *CoverageCounter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.seen)
	c.order = nil
}

// mediaBase returns the media type without parameters, lower case.
func mediaBase(ct string) string {
	base, _, _ := strings.Cut(ct, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	if len(base) > 64 {
		base = base[:64]
	}
	return base
}

// Coverage returns what the counter saw, against the operation's documented
// responses.
func (c *CoverageCounter) Coverage() Coverage {
	c.mu.Lock()
	seen := make([]observedKey, len(c.order))
	copy(seen, c.order)
	counts := make([]int64, len(seen))
	for i, k := range seen {
		counts[i] = c.seen[k]
	}
	c.mu.Unlock()
	o := c.op
	cov := Coverage{OperationID: o.ID, PathParams: pathParamNames(o.Path), ServersPath: o.doc.ServersPath()}
	rows := o.documentedRows()
	for i, k := range seen {
		cov.Total += counts[i]
		if cov.StatusCodes == nil {
			cov.StatusCodes = map[int]int64{}
		}
		cov.StatusCodes[k.status] += counts[i]
		rows = addObserved(rows, o.classify(k), k.status, counts[i])
	}
	cov.Responses = rows
	return cov
}

// documentedRows lists the operation's documented responses, uncounted.
func (o *Operation) documentedRows() []ResponseCount {
	var rows []ResponseCount
	for _, key := range responseKeys(o.op.Responses) {
		ref := o.op.Responses.Value(key)
		if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 {
			rows = append(rows, ResponseCount{Status: key, Documented: true})
			continue
		}
		for _, mt := range sortedKeys(ref.Value.Content) {
			rows = append(rows, ResponseCount{Status: key, ContentType: mt, Documented: true})
		}
	}
	return rows
}

// responseKeys orders response keys: codes and ranges ascending, default last.
func responseKeys(r *openapi3.Responses) []string {
	keys := r.Keys()
	slices.SortFunc(keys, func(a, b string) int {
		switch {
		case a == "default":
			return 1
		case b == "default":
			return -1
		}
		return strings.Compare(a, b)
	})
	return keys
}

// classify maps an observed status and content type to the row it counts
// in: the documented status key and media type, or an undocumented row.
func (o *Operation) classify(k observedKey) ResponseCount {
	key, ref := o.statusKey(k.status)
	if ref == nil || ref.Value == nil {
		return ResponseCount{Status: strconv.Itoa(k.status)}
	}
	content := ref.Value.Content
	if len(content) == 0 {
		return ResponseCount{Status: key, Documented: true}
	}
	if k.ct == "" && o.Method == "HEAD" {
		return ResponseCount{Status: key, ContentType: sortedKeys(content)[0], Documented: true}
	}
	if mt := content.Get(k.ct); mt != nil && k.ct != "" {
		for _, name := range sortedKeys(content) {
			if content[name] == mt {
				return ResponseCount{Status: key, ContentType: name, Documented: true}
			}
		}
	}
	ct := k.ct
	if ct == "" {
		ct = "(none)"
	}
	return ResponseCount{Status: key, ContentType: ct}
}

// statusKey returns the response key a status matches (exact, range, then
// default) and its response.
func (o *Operation) statusKey(status int) (string, *openapi3.ResponseRef) {
	st := strconv.Itoa(status)
	if ref := o.op.Responses.Value(st); ref != nil {
		return st, ref
	}
	if status > 99 && status < 600 {
		if ref := o.op.Responses.Value(st[:1] + "XX"); ref != nil {
			return st[:1] + "XX", ref
		}
	}
	if ref := o.op.Responses.Default(); ref != nil {
		return "default", ref
	}
	return st, nil
}

// addObserved adds n responses of status to the row like r, appending the
// row when it is not there yet.
func addObserved(rows []ResponseCount, r ResponseCount, status int, n int64) []ResponseCount {
	i := slices.IndexFunc(rows, func(x ResponseCount) bool {
		return x.Status == r.Status && x.ContentType == r.ContentType && x.Documented == r.Documented
	})
	if i < 0 {
		rows = append(rows, r)
		i = len(rows) - 1
	}
	rows[i].Count += n
	if strconv.Itoa(status) != rows[i].Status {
		if rows[i].Codes == nil {
			rows[i].Codes = map[int]int64{}
		}
		rows[i].Codes[status] += n
	}
	return rows
}

// Merge adds other's counts to c (the coverage of the same operation from
// another process or shard).
func (c *Coverage) Merge(other Coverage) {
	if c.OperationID == "" {
		c.OperationID = other.OperationID
	}
	c.Total += other.Total
	for code, n := range other.StatusCodes {
		if c.StatusCodes == nil {
			c.StatusCodes = map[int]int64{}
		}
		c.StatusCodes[code] += n
	}
	for _, r := range other.Responses {
		i := slices.IndexFunc(c.Responses, func(x ResponseCount) bool {
			return x.Status == r.Status && x.ContentType == r.ContentType && x.Documented == r.Documented
		})
		if i < 0 {
			r.Codes = maps.Clone(r.Codes)
			c.Responses = append(c.Responses, r)
			continue
		}
		c.Responses[i].Count += r.Count
		for code, n := range r.Codes {
			if c.Responses[i].Codes == nil {
				c.Responses[i].Codes = map[int]int64{}
			}
			c.Responses[i].Codes[code] += n
		}
	}
	if c.ServersPath == "" {
		c.ServersPath = other.ServersPath
	}
	if c.PathParams == nil {
		c.PathParams = other.PathParams
	}
}

// Never returns the documented responses that were never observed.
func (c Coverage) Never() []ResponseCount {
	var out []ResponseCount
	for _, r := range c.Responses {
		if r.Documented && r.Count == 0 {
			out = append(out, r)
		}
	}
	return out
}
