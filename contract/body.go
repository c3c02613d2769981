package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// bodyPreference orders the media types a request body is generated in.
var bodyPreference = []func(string) bool{
	func(mt string) bool { return mt == "application/json" },
	func(mt string) bool { return strings.HasSuffix(mt, "+json") },
	func(mt string) bool { return mt == "application/x-www-form-urlencoded" },
	func(mt string) bool { return mt == "multipart/form-data" },
	func(mt string) bool { return mt == "text/plain" },
	func(mt string) bool { return mt == "application/octet-stream" },
	func(mt string) bool { return !isXML(mt) },
}

// isXML reports whether a media type is XML.
func isXML(mt string) bool { return strings.HasSuffix(mt, "/xml") || strings.HasSuffix(mt, "+xml") }

// pickMedia chooses the media type a body is sent in; an XML-only body is
// an error saying so.
func pickMedia(content openapi3.Content) (string, *openapi3.MediaType, error) {
	keys := sortedKeys(content)
	for _, pref := range bodyPreference {
		for _, k := range keys {
			mt, _, err := mime.ParseMediaType(k)
			if err == nil && pref(strings.ToLower(mt)) {
				return k, content[k], nil
			}
		}
	}
	return "", nil, fmt.Errorf("request body: only XML media types are declared (%s); XML bodies are not generated: give one with WithBody or WithGenerator, or skip the operation: %w", strings.Join(keys, ", "), errXMLOnly)
}

// encodeBody encodes a body value for a media type, returning the bytes
// and the Content-Type header.
func encodeBody(rng *rand.Rand, mediaType string, v any) ([]byte, string, error) {
	mt, _, _ := mime.ParseMediaType(mediaType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		b, err := json.Marshal(v)
		return b, mediaType, err
	case mt == "application/x-www-form-urlencoded":
		form, err := formValues(v)
		return []byte(form.Encode()), mediaType, err
	case mt == "multipart/form-data":
		return multipartBody(rng, v)
	}
	s, err := primitive(v)
	if err != nil {
		b, jerr := json.Marshal(v)
		return b, mediaType, jerr
	}
	if strings.Contains(mediaType, "*") {
		mediaType = "application/octet-stream"
	}
	return []byte(s), mediaType, nil
}

// formValues renders an object as form fields (arrays repeat the field).
func formValues(v any) (url.Values, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("form body: want an object, got %T", v)
	}
	form := url.Values{}
	for _, k := range sortedKeys(obj) {
		parts, pairs, err := flatten(obj[k])
		if err != nil || pairs != nil {
			b, jerr := json.Marshal(obj[k])
			if jerr != nil {
				return nil, fmt.Errorf("form field %s: %w", k, jerr)
			}
			parts = []string{string(b)}
		}
		for _, p := range parts {
			form.Add(k, p)
		}
	}
	return form, nil
}

// multipartBody renders an object as multipart/form-data with a boundary
// drawn from rng, so the bytes are reproducible.
func multipartBody(rng *rand.Rand, v any) ([]byte, string, error) {
	form, err := formValues(v)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary("slaspec" + genWord(rng, 16, 16)); err != nil {
		return nil, "", err
	}
	for _, k := range sortedKeys(form) {
		for _, val := range form[k] {
			if err := w.WriteField(k, val); err != nil {
				return nil, "", err
			}
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}
