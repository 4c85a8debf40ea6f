package identitytest

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRequestPrinting: %#v, %d and slog's JSON handler print a Request as
// its redacting String. Request had no GoString, Format or LogValue, and
// they printed Form (client_secret, password, ...) and Header
// (Authorization) as received.
func TestRequestPrinting(t *testing.T) {
	const canary = "canary-logged-client-secret"
	r := Request{Method: "POST", Path: "/t/oauth2/v2.0/token",
		Form:   url.Values{"client_secret": {canary}},
		Header: http.Header{"Authorization": {"Bearer " + canary}}}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%s", "%#v", "%d"} {
		fmt.Fprintf(&out, "%s: "+verb+"\n", verb, r)
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("request", "r", r)
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, canary) {
			t.Errorf("secret printed: %s", line)
		}
	}
}
