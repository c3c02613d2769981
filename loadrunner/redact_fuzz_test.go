package loadrunner_test

import (
	"strings"
	"testing"

	"github.com/slaspec/slaspec/loadrunner"
)

// FuzzRedact feeds text, a secret name and a secret value to a Redactor:
// it must not panic, redacting twice must change nothing (unless the value
// shares letters with REDACTED: "D 00" is found again in "REDACTED 000"),
// and a value given never survives in the text.
func FuzzRedact(f *testing.F) {
	f.Add(`Get "http://u:p@h/x?api_key=k": Authorization: Bearer t {"token":"v"}`, "X-Tenant", "s3cret")
	f.Add("aAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaA: v", "aAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaA", "value")
	f.Add(`\"session\":\"abc\\\"def\"`, "", "")
	f.Fuzz(func(t *testing.T, text, name, value string) {
		red := loadrunner.NewRedactor([]string{name}, []string{value})
		out := red.String(text + " " + value + " " + name + "=" + value)
		if again := red.String(out); again != out && !strings.ContainsAny(value, loadrunner.Redacted) {
			t.Fatalf("not idempotent: %q then %q", out, again)
		}
		// Redaction only removes text and puts REDACTED in its place, so a
		// value of lower-case letters and digits cannot be pieced together.
		if len(value) >= loadrunner.MinSecretLen && strings.Trim(value, "abcdefghijklmnopqrstuvwxyz0123456789") == "" && strings.Contains(out, value) {
			t.Fatalf("value %q survives in %q", value, out)
		}
		red.URL(text)
		red.IsSecretName(text)
	})
}
