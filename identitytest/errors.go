package identitytest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// oauthError is one error answer of the token endpoint: RFC 6749, Section
// 5.2 plus Entra ID's members (PROTOCOL 2.13).
type oauthError struct {
	status   int    // HTTP status: 400, or 401 for invalid_client
	code     string // RFC 6749 "error"
	aadsts   int    // Entra ID's number, the first of error_codes
	desc     string // the text after "AADSTSnnnnn: "
	suberror string
	claims   string
}

// errorf builds an oauthError; the description is formatted from args,
// which must never hold a secret.
func errorf(status int, code string, aadsts int, format string, args ...any) *oauthError {
	return &oauthError{status: status, code: code, aadsts: aadsts, desc: fmt.Sprintf(format, args...)}
}

// The AADSTS numbers used here. Those in PROTOCOL 2.13 are marked so; the
// others are what Entra ID sends for the same failure as seen in public
// error reports and Microsoft's error code reference
// (learn.microsoft.com/entra/identity-platform/reference-error-codes,
// checked 2025-11), whose numbers Microsoft says may change.
const (
	codeUserNotFound         = 50034   // PROTOCOL 2.13
	codeBadPassword          = 50126   // PROTOCOL 2.13
	codeUserAssertionInvalid = 50013   // PROTOCOL 2.8: OBO assertion audience or signature invalid
	codeMalformedJWT         = 50027   // "JWT token is invalid or malformed"
	codeNoTenantInfo         = 50059   // "No tenant-identifying information found": client credentials to /common
	codeRevoked              = 50173   // "the provided grant has expired due to it being revoked"
	codeCodeRedeemed         = 54005   // PROTOCOL 2.6: code already redeemed
	codeInvalidGrant         = 70000   // "provided grant is invalid or malformed"
	codeUnsupportedGrant     = 70003   // "the app requested an unsupported grant type"
	codeCodeExpired          = 70008   // PROTOCOL 2.6: code expired
	codeInvalidScope         = 70011   // PROTOCOL 2.4
	codeAuthorizationPending = 70016   // "Pending end-user authorization" (device code)
	codeDeviceCodeExpired    = 70019   // "Verification code expired" (device code)
	codeFederatedNoMatch     = 70021   // PROTOCOL 2.13: no matching federated identity record
	codeAppNotFound          = 700016  // PROTOCOL 2.13: app not found in the directory
	codeAssertionSubject     = 700021  // "client assertion application identifier doesn't match 'client_id'"
	codeAssertionAudience    = 700023  // "client assertion audience claim does not match Realm issuer"
	codeAssertionTime        = 700024  // PROTOCOL 2.13: assertion not within its valid time range
	codePublicClientSecret   = 700025  // "client is public so neither 'client_assertion' nor 'client_secret' should be presented"
	codeAssertionSignature   = 700027  // PROTOCOL 2.13: signature invalid / certificate not registered
	codeRefreshExpired       = 700082  // "the refresh token has expired due to inactivity"
	codeInvalidSecret        = 7000215 // PROTOCOL 2.13: invalid client secret
	codeClientAuthMissing    = 7000218 // "request body must contain ... 'client_assertion' or 'client_secret'"
	codeMultipleResources    = 28000   // "scope ... contains more than one resource"
	codeScopeNotDefault      = 1002012 // PROTOCOL 2.13: client-credentials scope without /.default
	codeMissingParameter     = 900144  // "the request body must contain the following parameter"
	codeOnlyPost             = 900561  // "the endpoint only accepts POST, OPTIONS requests"
	codeMalformedRequest     = 9002313 // "Invalid request. Request is malformed or invalid."
	codePKCEMismatch         = 501481  // PROTOCOL 2.6: code_verifier does not match code_challenge
	codeRedirectMismatch     = 500112  // "the reply address does not match the reply address provided when requesting Authorization code"
)

// missingParameter is Entra ID's answer to a request without a required
// form field.
func missingParameter(name string) *oauthError {
	return errorf(400, "invalid_request", codeMissingParameter,
		"The request body must contain the following parameter: '%s'.", name)
}

// writeError sends e in Entra ID's shape: error_description ends with the
// trace id, correlation id and timestamp lines, error_codes holds the
// AADSTS number (PROTOCOL 2.13). ADFS answers carry error and
// error_description only.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *oauthError, adfs bool) {
	if adfs {
		writeJSON(w, e.status, map[string]any{"error": e.code, "error_description": e.desc})
		return
	}
	trace := newGUID()
	corr := correlationID(r)
	ts := s.now().UTC().Format("2006-01-02 15:04:05Z")
	body := map[string]any{
		"error": e.code,
		"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			e.aadsts, e.desc, trace, corr, ts),
		"error_codes":    []int{e.aadsts},
		"timestamp":      ts,
		"trace_id":       trace,
		"correlation_id": corr,
		"error_uri":      s.ts.URL + "/error?code=" + strconv.Itoa(e.aadsts),
	}
	if e.suberror != "" {
		body["suberror"] = e.suberror
	}
	if e.claims != "" {
		body["claims"] = e.claims
	}
	writeJSON(w, e.status, body)
}

// correlationID echoes the client's request id when it is a GUID, as Entra
// ID does (PROTOCOL 2.13), and otherwise makes one up. Anything else the
// client sent is not reflected.
func correlationID(r *http.Request) string {
	for _, name := range [...]string{"Client-Request-Id", "X-Ms-Client-Request-Id"} {
		if v := r.Header.Get(name); isGUID(v) {
			return v
		}
	}
	return newGUID()
}

// isGUID reports whether v has the 8-4-4-4-12 hexadecimal form.
func isGUID(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// newGUID returns a random version 4 GUID.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// writeJSON sends v as a JSON response with the headers RFC 6749, Section
// 5.1 requires of token responses: "Cache-Control: no-store" and
// "Pragma: no-cache".
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "identitytest: cannot encode response", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// quoted returns client text for an error description, cut to maxQuoted.
func quoted(v string) string {
	if len(v) > maxQuoted {
		v = v[:maxQuoted] + "..."
	}
	return strconv.Quote(v)
}
