package imds

import (
	"errors"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		name  string
		parse func([]byte) string
		body  string
		want  string
	}{
		{"IMDS", vmErrorMessage, `{"error":"invalid_request","error_description":"Identity not found"}`, "invalid_request: Identity not found"},
		{"IMDS code only", vmErrorMessage, `{"error":"bad_request_102"}`, "bad_request_102"},
		{"Arc", arcErrorMessage, `{"error":"invalid_resource","error_description":"AADSTS500011"}`, "invalid_resource: AADSTS500011"},
		{"App Service", appServiceErrorMessage, `{"statusCode":400,"message":"Unable to load the proper Managed Identity.","correlationId":"7f0a"}`, "Unable to load the proper Managed Identity. (correlation ID 7f0a)"},
		{"Azure ML", azureMLErrorMessage, `{"statusCode":500,"message":"oops"}`, "oops"},
		{"Cloud Shell", cloudShellErrorMessage, `{"error":{"code":"BadRequest","message":"bad resource"}}`, "BadRequest: bad resource"},
		{"Service Fabric", serviceFabricErrorMessage, `{"error":{"correlationId":"c9","code":"SecretHeaderNotFound","message":"Secret is not found in the request headers."}}`, "SecretHeaderNotFound: Secret is not found in the request headers. (correlation ID c9)"},
		{"Service Fabric given IMDS shape", serviceFabricErrorMessage, `{"error":"x","error_description":"y"}`, ""},
		{"fields of other types", vmErrorMessage, `{"error":5,"error_description":["a"]}`, ""},
		{"not JSON", appServiceErrorMessage, `<html>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.parse([]byte(tt.body)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// anyMessage reads every shape, so a source's unusual body still says something.
	if got := anyMessage([]byte(`{"error":"x","error_description":"y"}`)); got != "x: y" {
		t.Errorf("anyMessage: got %q", got)
	}
}

func TestServiceText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Identity not found", "Identity not found"},
		{"line breaks", "a\r\nINFO forged log line", "a  INFO forged log line"},
		{"invalid UTF-8", "a\xffb", "a b"},
		{"bidi override", "a\u202eb", "a b"},
		{"secret", "key s3cr3t here", "key [REDACTED] here"},
		{"at the limit", strings.Repeat("a", maxMessage), strings.Repeat("a", maxMessage)},
		{"over the limit", strings.Repeat("a", maxMessage+1), strings.Repeat("a", maxMessage) + "..."},
		{"cut on a rune boundary", strings.Repeat("a", maxMessage-1) + "é", strings.Repeat("a", maxMessage-1) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := serviceText(tt.in, maxMessage, "s3cr3t"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	e := &Error{Source: IMDS, StatusCode: 503, Message: "gave up retrying", Err: cause}
	if got, want := e.Error(), "imds: IMDS: HTTP 503: gave up retrying: unexpected EOF"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(e, cause) {
		t.Error("Unwrap does not reach the cause")
	}
	if got := (&Error{Message: "x"}).Error(); got != "imds: x" {
		t.Errorf("got %q", got)
	}
}

// fuzzErrorParser checks one source's error parser: no panic, and what
// finish would show is bounded, valid UTF-8 and free of control characters.
func fuzzErrorParser(f *testing.F, parse func([]byte) string, seeds ...string) {
	for _, s := range append(seeds, "", "{}", "null", `{"error":null}`, `{"error":{"error":{}}}`, "\xff",
		`{"message":"`+strings.Repeat("m", maxMessage-1)+`"}`,
		`{"message":"`+strings.Repeat("m", maxMessage)+`"}`,
		`{"message":"`+strings.Repeat("m", maxMessage+1)+`"}`) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		shown := serviceText(parse(body), maxMessage)
		if len(shown) > maxMessage+len("...") || !utf8.ValidString(shown) {
			t.Fatalf("shown text too long or not UTF-8: %q", shown)
		}
		for _, r := range shown {
			if unicode.IsControl(r) {
				t.Fatalf("control character in %q", shown)
			}
		}
	})
}

func FuzzVMErrorMessage(f *testing.F) {
	fuzzErrorParser(f, vmErrorMessage, `{"error":"invalid_request","error_description":"Identity not found"}`)
}

func FuzzAppServiceErrorMessage(f *testing.F) {
	fuzzErrorParser(f, appServiceErrorMessage, `{"statusCode":400,"message":"m","correlationId":"c"}`)
}

func FuzzArcErrorMessage(f *testing.F) {
	fuzzErrorParser(f, arcErrorMessage, `{"error":"unauthorized","error_description":"d"}`)
}

func FuzzCloudShellErrorMessage(f *testing.F) {
	fuzzErrorParser(f, cloudShellErrorMessage, `{"error":{"code":"c","message":"m"}}`)
}

func FuzzServiceFabricErrorMessage(f *testing.F) {
	fuzzErrorParser(f, serviceFabricErrorMessage, `{"error":{"correlationId":"x","code":"ManagedIdentityNotFound","message":"m"}}`)
}

func FuzzAzureMLErrorMessage(f *testing.F) {
	fuzzErrorParser(f, azureMLErrorMessage, `{"statusCode":500,"message":"m"}`)
}

func FuzzThumbprint(f *testing.F) {
	for _, s := range []string{"", "00", strings.Repeat("ab", 19), strings.Repeat("ab", 20), strings.Repeat("ab", 21),
		strings.Repeat("AB:", 20), " " + strings.Repeat("0f ", 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		b, err := thumbprint(v)
		if (err == nil) != (len(b) == 20) {
			t.Fatalf("thumbprint(%q) = %x, %v", v, b, err)
		}
	})
}
