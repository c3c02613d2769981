package contract

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// MaxDocumentSize bounds the bytes of one document file (and of each file a
// $ref reaches).
const MaxDocumentSize = 16 << 20

// LoadOption configures Load and LoadBytes.
type LoadOption interface{ applyLoad(*loadConfig) }

type loadConfig struct {
	baseDir string
}

type loadOptionFunc func(*loadConfig)

func (f loadOptionFunc) applyLoad(c *loadConfig) { f(c) }

// WithBaseDir lets LoadBytes resolve relative-file $refs against dir. Load
// uses the document's own directory.
func WithBaseDir(dir string) LoadOption {
	return loadOptionFunc(func(c *loadConfig) { c.baseDir = dir })
}

// Load reads, resolves and validates the OpenAPI document at path (YAML or
// JSON). $refs may point inside the document or to files relative to it;
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
	t, err := parse(data, cfg)
	if err != nil {
		return nil, err
	}
	return newDocument(t)
}

// parse loads the document, checks its version and validates it.
func parse(data []byte, cfg loadConfig) (*openapi3.T, error) {
	if err := checkVersion(data); err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = cfg.baseDir != ""
	loader.ReadFromURIFunc = localFilesOnly
	var (
		t   *openapi3.T
		err error
	)
	if cfg.baseDir != "" {
		abs, aerr := filepath.Abs(filepath.Join(cfg.baseDir, "openapi.yaml"))
		if aerr != nil {
			return nil, fmt.Errorf("contract: load: base dir: %w", aerr)
		}
		t, err = loader.LoadFromDataWithPath(data, &url.URL{Path: filepath.ToSlash(abs)})
	} else {
		t, err = loader.LoadFromData(data)
	}
	if err != nil {
		return nil, fmt.Errorf("contract: load: %w", err)
	}
	if err := checkServers(t); err != nil {
		return nil, err
	}
	if err := t.Validate(context.Background(), openapi3.EnableMultiError()); err != nil {
		return nil, fmt.Errorf("contract: invalid document: %s", joinValidation(err))
	}
	return t, nil
}

// versionRE finds the top-level openapi or swagger field in YAML or JSON.
var versionRE = regexp.MustCompile(`(?m)^\s*"?(openapi|swagger)"?\s*:\s*["']?([0-9][0-9.]*)`)

// checkVersion rejects anything but OpenAPI 3.0 and 3.1 before parsing.
func checkVersion(data []byte) error {
	m := versionRE.FindSubmatch(data)
	switch {
	case m == nil:
		return errors.New("contract: load: no openapi version field: want openapi: 3.0.x or 3.1.x")
	case string(m[1]) == "swagger":
		return fmt.Errorf("contract: load: swagger %s is not supported: convert the document to OpenAPI 3.0 or 3.1", m[2])
	}
	v := string(m[2])
	if v == "3.0" || v == "3.1" || strings.HasPrefix(v, "3.0.") || strings.HasPrefix(v, "3.1.") {
		return nil
	}
	return fmt.Errorf("contract: load: openapi version %s is not supported: want 3.0.x or 3.1.x", v)
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
