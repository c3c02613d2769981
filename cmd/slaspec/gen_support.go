package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slaspec/slaspec/contract"
)

// suiteData is what the suite template is filled with.
type suiteData struct {
	Source, Package, Title, Document string
	// Credentials are the code lines that give the document's security
	// schemes their credentials, from the environment.
	Credentials []string
	Operations  []genOperation
}

// documentPath is the path the generated suite loads the document from:
// -doc-path as given, else -spec relative to the directory of the -o file
// (go test runs a suite in its own directory), else -spec as given.
func documentPath(spec, docPath, outFile string) (string, error) {
	switch {
	case docPath != "":
		return docPath, nil
	case outFile == "":
		return spec, nil
	}
	absSpec, err := filepath.Abs(spec)
	if err != nil {
		return "", err
	}
	absOut, err := filepath.Abs(outFile)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(filepath.Dir(absOut), absSpec)
	if err != nil {
		return "", fmt.Errorf("-spec %s relative to -o %s: %w", spec, outFile, err)
	}
	return filepath.ToSlash(rel), nil
}

// credentials writes, for each kind of security scheme the document
// declares, the code that takes its credential from the environment.
func credentials(doc *contract.Document) []string {
	t := doc.Spec()
	if t.Components == nil {
		return nil
	}
	kinds := map[string][]string{}
	for name, ref := range t.Components.SecuritySchemes {
		if ref == nil || ref.Value == nil {
			continue
		}
		s := ref.Value
		switch {
		case s.Type == "apiKey":
			kinds["apikey"] = append(kinds["apikey"], name)
		case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
			kinds["basic"] = append(kinds["basic"], name)
		default:
			kinds["bearer"] = append(kinds["bearer"], name)
		}
	}
	code := map[string]string{
		"bearer": `if token := os.Getenv("SLASPEC_TARGET_TOKEN"); token != "" { // %s
		opts = append(opts, contract.WithBearer(token))
	}`,
		"apikey": `if key := os.Getenv("SLASPEC_TARGET_API_KEY"); key != "" { // %s
		opts = append(opts, contract.WithAPIKey(key))
	}`,
		"basic": `if user := os.Getenv("SLASPEC_TARGET_USER"); user != "" { // %s
		opts = append(opts, contract.WithBasic(user, os.Getenv("SLASPEC_TARGET_PASSWORD")))
	}`,
	}
	var out []string
	for _, k := range []string{"bearer", "apikey", "basic"} {
		if names := kinds[k]; len(names) > 0 {
			slices.Sort(names)
			out = append(out, fmt.Sprintf(code[k], "security schemes: "+strings.Join(names, ", ")))
		}
	}
	return out
}
