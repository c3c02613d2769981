package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// MaxDocumentSize bounds the bytes of one document file (and of each file a
// $ref reaches).
const MaxDocumentSize = 16 << 20

// LoadOption configures Load, LoadBytes and LoadURL.
type LoadOption interface{ applyLoad(*loadConfig) }

type loadConfig struct {
	baseDir    string
	allowHosts string
	client     *http.Client
	timeout    time.Duration
}

type loadOptionFunc func(*loadConfig)

func (f loadOptionFunc) applyLoad(c *loadConfig) { f(c) }

// WithBaseDir lets LoadBytes resolve relative-file $refs against dir. Load
// uses the document's own directory.
func WithBaseDir(dir string) LoadOption {
	return loadOptionFunc(func(c *loadConfig) { c.baseDir = dir })
}

// Load reads, resolves and validates the OpenAPI document at path (YAML or
// JSON, pretty or minified; Swagger 2.0 is converted, see Document.Notes). $refs may point inside the document or to files relative to it;
// remote (http) references are refused.
func Load(path string, opts ...LoadOption) (*Document, error) {
	data, err := readBounded(path)
	if err != nil {
		return nil, fmt.Errorf("contract: load: %w", err)
	}
	opts = append([]LoadOption{WithBaseDir(filepath.Dir(path))}, opts...)
	doc, err := LoadBytes(data, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, filepath.Base(path))
	}
	return doc, nil
}

// LoadBytes parses, resolves and validates an OpenAPI document (YAML or
// JSON). Relative-file $refs need WithBaseDir; without it only references
// inside the document resolve.
func LoadBytes(data []byte, opts ...LoadOption) (*Document, error) {
	var cfg loadConfig
	for _, o := range opts {
		o.applyLoad(&cfg)
	}
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("contract: load: document of %d bytes exceeds the %d byte bound", len(data), MaxDocumentSize)
	}
	t, notes, err := parse(data, cfg)
	if err != nil {
		return nil, err
	}
	d, err := newDocument(t)
	if err != nil {
		return nil, err
	}
	d.notes = notes
	return d, nil
}

// parse loads the document (a Swagger 2.0 one converted), checks its
// version and validates it; notes say what a conversion could not carry.
func parse(data []byte, cfg loadConfig) (*openapi3.T, []string, error) {
	field, err := checkVersion(data)
	if err != nil {
		return nil, nil, err
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = cfg.baseDir != ""
	loader.ReadFromURIFunc = localFilesOnly
	var location *url.URL
	if cfg.baseDir != "" {
		abs, aerr := filepath.Abs(filepath.Join(cfg.baseDir, "openapi.yaml"))
		if aerr != nil {
			return nil, nil, fmt.Errorf("contract: load: base dir: %w", aerr)
		}
		location = &url.URL{Path: filepath.ToSlash(abs)}
	}
	var (
		t     *openapi3.T
		notes []string
	)
	switch {
	case field == "swagger":
		t, notes, err = convertSwagger2(data, loader, location)
	case location != nil:
		t, err = loader.LoadFromDataWithPath(data, location)
	default:
		t, err = loader.LoadFromData(data)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("contract: load: %w", err)
	}
	if err := checkServers(t); err != nil {
		return nil, nil, err
	}
	if err := t.Validate(context.Background(), openapi3.EnableMultiError()); err != nil {
		return nil, nil, fmt.Errorf("contract: invalid document: %s", joinValidation(err))
	}
	return t, notes, nil
}

// versionRE finds the top-level openapi or swagger field of a YAML document.
var versionRE = regexp.MustCompile(`(?m)^\s*"?(openapi|swagger)"?\s*:\s*["']?([0-9][0-9.]*)`)

// checkVersion accepts OpenAPI 3.0 and 3.1 and Swagger 2.0, in JSON (pretty
// or minified) or YAML, and returns the field that said so ("openapi" or
// "swagger").
func checkVersion(data []byte) (string, error) {
	field, v, err := findVersion(data)
	switch {
	case err != nil:
		return "", err
	case field == "":
		return "", errors.New("contract: load: no openapi version field: want openapi: 3.0.x or 3.1.x (or swagger: \"2.0\")")
	case field == "swagger" && v == "2.0":
		return field, nil
	case field == "swagger":
		return "", fmt.Errorf("contract: load: swagger %s is not supported: want 2.0, or OpenAPI 3.0 or 3.1", v)
	}
	if v == "3.0" || v == "3.1" || strings.HasPrefix(v, "3.0.") || strings.HasPrefix(v, "3.1.") {
		return field, nil
	}
	return "", fmt.Errorf("contract: load: openapi version %s is not supported: want 3.0.x or 3.1.x", v)
}

// findVersion returns the version field of a JSON document (decoded, so
// minified JSON works and a syntax error names its offset) or of a YAML
// one.
func findVersion(data []byte) (field, version string, err error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') {
		if m := versionRE.FindSubmatch(data); m != nil {
			return string(m[1]), string(m[2]), nil
		}
		return "", "", nil
	}
	var head struct {
		OpenAPI json.RawMessage `json:"openapi"`
		Swagger json.RawMessage `json:"swagger"`
	}
	if jerr := json.Unmarshal(trimmed, &head); jerr != nil {
		if field, v, ok := flowYAMLVersion(trimmed); ok {
			return field, v, nil
		}
		return "", "", jsonError(data, len(data)-len(trimmed), jerr)
	}
	switch {
	case head.OpenAPI != nil:
		return "openapi", rawVersion(head.OpenAPI), nil
	case head.Swagger != nil:
		return "swagger", rawVersion(head.Swagger), nil
	}
	return "", "", nil
}

// flowYAMLVersion reads the version of a document that is not JSON but
// YAML in flow style ({openapi: 3.0.0, ...}); ok is false when it is not
// valid YAML either, so that broken JSON gets the JSON error.
func flowYAMLVersion(data []byte) (field, version string, ok bool) {
	var head struct {
		OpenAPI any `yaml:"openapi"`
		Swagger any `yaml:"swagger"`
	}
	if yaml.Unmarshal(data, &head) != nil {
		return "", "", false
	}
	switch {
	case head.OpenAPI != nil:
		return "openapi", fmt.Sprint(head.OpenAPI), true
	case head.Swagger != nil:
		return "swagger", fmt.Sprint(head.Swagger), true
	}
	return "", "", true
}

// rawVersion renders a JSON version value ("3.0.3" or 3.1) as text.
func rawVersion(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

// jsonError names where a JSON document broke: its byte offset, line and
// column.
func jsonError(data []byte, skipped int, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off := min(int(se.Offset)+skipped, len(data))
		line := bytes.Count(data[:off], []byte("\n")) + 1
		col := off - bytes.LastIndexByte(data[:off], '\n')
		return fmt.Errorf("contract: load: JSON syntax error at byte offset %d (line %d, column %d): %s", off, line, col, se.Error())
	case errors.As(err, &te) && te.Field == "":
		return fmt.Errorf("contract: load: the document is a JSON %s, want an object with an openapi field", te.Value)
	case errors.As(err, &te):
		return fmt.Errorf("contract: load: field %s at byte offset %d is a JSON %s, want a string", te.Field, te.Offset+int64(skipped), te.Value)
	}
	return fmt.Errorf("contract: load: %w", err)
}

// joinValidation flattens kin-openapi's multi-error into one line per problem.
func joinValidation(err error) string {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		parts := make([]string, 0, len(me))
		for _, e := range me {
			parts = append(parts, e.Error())
		}
		return strings.Join(parts, "; ")
	}
	return err.Error()
}

// serverVarRE finds {variable} templates in a server URL.
var serverVarRE = regexp.MustCompile(`\{([^{}]*)\}`)

// checkServers rejects a server URL whose template variable has no value.
func checkServers(t *openapi3.T) error {
	for i, s := range t.Servers {
		if s == nil {
			return fmt.Errorf("contract: servers[%d] is empty", i)
		}
		for _, m := range serverVarRE.FindAllStringSubmatch(s.URL, -1) {
			v, ok := s.Variables[m[1]]
			if !ok || v == nil || v.Default == "" {
				return fmt.Errorf("contract: servers[%d] url %q: variable %q has no value (declare it under variables with a default)", i, s.URL, m[1])
			}
		}
	}
	return nil
}

// readBounded reads a local file up to MaxDocumentSize.
func readBounded(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxDocumentSize {
		return nil, fmt.Errorf("%s: %d bytes exceeds the %d byte bound", filepath.Base(path), st.Size(), MaxDocumentSize)
	}
	return os.ReadFile(path)
}

// localFilesOnly reads $ref targets from local files and refuses remote ones.
func localFilesOnly(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
	if u.Scheme != "" && u.Scheme != "file" {
		return nil, fmt.Errorf("remote $ref %s refused: only local files are read", u.Redacted())
	}
	return readBounded(filepath.FromSlash(u.Path))
}
