package identitytest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/azid-go/azid/jwt"
)

// selector is the kind of id a request names its identity by.
type selector int

const (
	selNone       selector = iota // system-assigned
	selClientID                   // client id
	selObjectID                   // object (principal) id
	selResourceID                 // ARM resource id
)

// sourceSpec is what one source's endpoint checks and sends: PROTOCOL
// 7.11's table, the parameter names of 7.12.
type sourceSpec struct {
	path       string // the token endpoint's path on the fake
	method     string
	apiVersion string              // "" when the source takes none
	idParams   map[string]selector // user-assigned id parameters; nil: none
	// secretHeader carries the secret (IDENTITY_HEADER or MSI_SECRET);
	// "" when the source has no secret.
	secretHeader string
	metadata     bool   // requires "Metadata: true"
	expiresOn    string // the ExpiresOn format the source uses
	expiresIn    bool   // sends expires_in (and not_before), as strings
	shape        errorShape
}

// imdsIDParams are IMDS's and Azure Arc's id parameters (PROTOCOL 7.12:
// "client_id, object_id, msi_res_id").
var imdsIDParams = map[string]selector{"client_id": selClientID, "object_id": selObjectID, "msi_res_id": selResourceID}

// sourceSpecs holds each source's rules (PROTOCOL 7.3 to 7.8 and 7.11).
// The paths are those of the real endpoints' URLs in PROTOCOL's examples;
// Azure ML's is not given there, so it borrows App Service's.
var sourceSpecs = map[MISource]sourceSpec{
	SourceIMDS: {
		path: "/metadata/identity/oauth2/token", method: http.MethodGet, apiVersion: "2018-02-01",
		idParams: imdsIDParams, metadata: true, expiresOn: ExpiresOnString, expiresIn: true, shape: shapeIMDS,
	},
	SourceAppService: {
		// 7.12: "client_id, object_id (docs: principal_id), mi_res_id".
		path: "/msi/token", method: http.MethodGet, apiVersion: "2019-08-01",
		idParams:     map[string]selector{"client_id": selClientID, "object_id": selObjectID, "principal_id": selObjectID, "mi_res_id": selResourceID},
		secretHeader: "X-IDENTITY-HEADER", expiresOn: ExpiresOnString, shape: shapeAppService,
	},
	SourceAzureArc: {
		path: "/metadata/identity/oauth2/token", method: http.MethodGet, apiVersion: "2020-06-01",
		idParams: imdsIDParams, metadata: true, expiresOn: ExpiresOnString, expiresIn: true, shape: shapeIMDS,
	},
	SourceCloudShell: {
		// 7.6: "POST {MSI_ENDPOINT} with header Metadata: true and form
		// body resource=<resource>".
		path: "/oauth2/token", method: http.MethodPost,
		metadata: true, expiresOn: ExpiresOnString, expiresIn: true, shape: shapeCloudShell,
	},
	SourceServiceFabric: {
		path: "/metadata/identity/oauth2/token", method: http.MethodGet, apiVersion: "2019-07-01-preview",
		secretHeader: "Secret", expiresOn: ExpiresOnNumber, shape: shapeServiceFabric,
	},
	SourceAzureML: {
		// 7.8: "note the parameter name clientid (no underscore)"; header
		// "secret: {MSI_SECRET}".
		path: "/msi/token", method: http.MethodGet, apiVersion: "2017-09-01",
		idParams:     map[string]selector{"clientid": selClientID},
		secretHeader: "secret", expiresOn: ExpiresOnNumber, shape: shapeAppService,
	},
}

// serve is the endpoint's handler: it reads the body, logs the request,
// applies a queued fault, then checks and answers the request.
func (m *ManagedIdentity) serve(w http.ResponseWriter, r *http.Request) {
	form, bodyErr := readForm(w, r)
	sw, done := m.log.begin(w, r, form)
	defer done()
	if f, ok := m.log.takeFault(r.URL.Path); ok && m.log.apply(sw, r, f, m.faultAnswers()) {
		return
	}
	if bodyErr != nil {
		m.writeError(sw, refuse(bodyErr.status, "invalid_request", "The request body could not be read."))
		return
	}
	if e := m.answer(sw, r, form); e != nil {
		m.writeError(sw, e)
	}
}

// answer checks r in the order the source's rules are listed in PROTOCOL
// 7 (its secret or Metadata header first: IMDS answers a request without
// it with 400 whatever else is wrong, which the probe relies on) and writes
// the token answer, or returns the refusal. Azure Arc's challenge comes
// after the request is known to be well formed.
func (m *ManagedIdentity) answer(w http.ResponseWriter, r *http.Request, form url.Values) *miError {
	if r.URL.Path != m.spec.path {
		return refuse(http.StatusNotFound, "not_found", "No endpoint at %s.", quoted(r.URL.Path))
	}
	if e := m.checkSecret(r); e != nil {
		return e
	}
	if r.Method != m.spec.method {
		return refuse(http.StatusMethodNotAllowed, "method_not_allowed", "The endpoint only accepts %s requests.", m.spec.method)
	}
	params, e := m.params(r, form)
	if e != nil {
		return e
	}
	if e := m.checkAPIVersion(params); e != nil {
		return e
	}
	sel, value, e := m.selector(params)
	if e != nil {
		return e
	}
	resource := params.Get("resource")
	if e := m.checkResource(resource); e != nil {
		return e
	}
	if m.source == SourceAzureArc {
		if challenged, e := m.arcAuthorize(w, r); challenged || e != nil {
			return e
		}
		if m.opts.LegacyArcAgent {
			sel, value = selNone, ""
		}
	}
	id, ok := m.pick(sel, value)
	if !ok {
		return m.identityNotFound()
	}
	body, err := m.tokenAnswer(id, resource, sel)
	if err != nil {
		return refuse(http.StatusInternalServerError, "internal_error", "The token could not be signed.")
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// checkSecret checks the header that proves the caller runs on the host:
// "Metadata: true" (IMDS, Arc, Cloud Shell) or the source's secret,
// compared in constant time.
func (m *ManagedIdentity) checkSecret(r *http.Request) *miError {
	if m.spec.metadata && !strings.EqualFold(r.Header.Get("Metadata"), "true") {
		if m.spec.shape == shapeIMDS {
			// PROTOCOL 7.3: 400 "bad_request_102" "Required metadata
			// header not specified".
			return refuse(http.StatusBadRequest, "bad_request_102", "Required metadata header not specified")
		}
		return refuse(http.StatusBadRequest, "BadRequest", "Required metadata header not specified")
	}
	name := m.spec.secretHeader
	if name == "" {
		return nil
	}
	got, sent := r.Header[http.CanonicalHeaderKey(name)]
	switch {
	case m.source == SourceServiceFabric && !sent:
		// Service Fabric's error list (learn.microsoft.com/azure/
		// service-fabric/how-to-managed-identity-service-fabric-app-code,
		// "Error handling", checked 2025-11): SecretHeaderNotFound,
		// "Secret is not found in the request headers." The page gives
		// no status for it; the fake sends 401.
		return refuse(http.StatusUnauthorized, "SecretHeaderNotFound", "Secret is not found in the request headers.")
	case m.source == SourceServiceFabric && !secretEqual(got, m.secret):
		// The same page: 404 for an "Unknown authentication code",
		// code ManagedIdentityNotFound.
		return refuse(http.StatusNotFound, "ManagedIdentityNotFound", "Managed identity not found for the specified application host.")
	case !sent:
		// App Service and Azure ML: status and text not documented; the
		// fake's choice.
		return refuse(http.StatusBadRequest, "BadRequest", "The %s header is missing.", name)
	case !secretEqual(got, m.secret):
		return refuse(http.StatusUnauthorized, "Unauthorized", "The %s header does not hold this host's secret.", name)
	}
	return nil
}

// secretEqual reports whether the header was sent once with the secret.
func secretEqual(values []string, secret string) bool {
	return len(values) == 1 && subtle.ConstantTimeCompare([]byte(values[0]), []byte(secret)) == 1
}

// params returns the request's parameters: the query of a GET, the form of
// Cloud Shell's POST (which must have no query). Every parameter must be
// one the source takes, and sent once. Real endpoints may ignore a
// parameter they do not know; the fake refuses it, so that a client that
// sends an id under another source's name (msi_res_id to App Service,
// client_id to Azure ML) is caught rather than handed the system-assigned
// identity.
func (m *ManagedIdentity) params(r *http.Request, form url.Values) (url.Values, *miError) {
	params := r.URL.Query()
	if m.spec.method == http.MethodPost {
		if r.URL.RawQuery != "" {
			return nil, m.badRequest("The endpoint takes its parameters in the form body, not in the query.")
		}
		if form == nil {
			return nil, m.badRequest("The body must be application/x-www-form-urlencoded.")
		}
		params = form
	}
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		known := name == "resource" || name == "api-version" && m.spec.apiVersion != ""
		if _, ok := m.spec.idParams[name]; ok {
			known = true
		}
		switch {
		case !known:
			return nil, m.badRequest("Unexpected parameter %s; %s takes %s.", quoted(name), m.source, m.paramNames())
		case len(params[name]) > 1:
			return nil, m.badRequest("Parameter %s is sent more than once.", quoted(name))
		}
	}
	return params, nil
}

// paramNames lists the parameters the source takes, for error texts.
func (m *ManagedIdentity) paramNames() string {
	names := []string{"resource"}
	if m.spec.apiVersion != "" {
		names = append(names, "api-version")
	}
	ids := make([]string, 0, len(m.spec.idParams))
	for name := range m.spec.idParams {
		ids = append(ids, name)
	}
	sort.Strings(ids)
	return strings.Join(append(names, ids...), ", ")
}

// checkAPIVersion requires the api-version of PROTOCOL 7.11's table.
// Real IMDS also accepts its other versions; the fake holds clients to the
// one the protocol names.
func (m *ManagedIdentity) checkAPIVersion(params url.Values) *miError {
	want := m.spec.apiVersion
	got, sent := params["api-version"]
	if want == "" || sent && got[0] == want {
		return nil
	}
	v := ""
	if sent {
		v = got[0]
	}
	switch m.spec.shape {
	case shapeIMDS:
		// IMDS's own answer (learn.microsoft.com/azure/virtual-machines/
		// instance-metadata-service, "Versioning", checked 2025-11):
		// {"error": "Bad request. api-version was not specified in the
		// request. For more information refer to aka.ms/azureimds",
		// "newest-versions": [...]}.
		text := "Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds"
		if sent {
			text = "Bad request. api-version is invalid or was not specified in the request. For more information refer to aka.ms/azureimds"
		}
		return &miError{status: http.StatusBadRequest, msg: text,
			body: map[string]any{"error": text, "newest-versions": []string{want}}}
	case shapeServiceFabric:
		// Service Fabric's error list (see checkSecret): InvalidApiVersion.
		return refuse(http.StatusBadRequest, "InvalidApiVersion", "The api-version %s is not supported. Supported version is '%s'.", quoted(v), want)
	}
	return m.badRequest("The api-version %s is not supported; %s takes %s.", quoted(v), m.source, want)
}

// selector returns the id the request names, if any: at most one of the
// source's id parameters, with a value. Azure ML takes an empty clientid
// as no id: GO always sends clientid, set from DEFAULT_IDENTITY_CLIENT_ID
// (PROTOCOL 7.8), which may be empty.
func (m *ManagedIdentity) selector(params url.Values) (selector, string, *miError) {
	sel, value, from := selNone, "", ""
	for name, kind := range m.spec.idParams {
		v, ok := params[name]
		if !ok {
			continue
		}
		if from != "" {
			first, second := from, name
			if second < first {
				first, second = second, first
			}
			return 0, "", m.badRequest("Parameters %s and %s name two identities; send one.", quoted(first), quoted(second))
		}
		sel, value, from = kind, v[0], name
	}
	if sel != selNone && value == "" {
		if m.source == SourceAzureML {
			return selNone, "", nil
		}
		return 0, "", m.badRequest("Parameter %s is empty.", quoted(from))
	}
	return sel, value, nil
}

// checkResource requires a resource, the v1 form of a scope: a client
// that forgot to remove "/.default" (PROTOCOL 1.3), or sent several
// scopes, names a resource no endpoint knows.
func (m *ManagedIdentity) checkResource(resource string) *miError {
	if resource == "" {
		switch m.spec.shape {
		case shapeIMDS:
			return refuse(http.StatusBadRequest, "invalid_request", "Required query variable 'resource' is missing")
		case shapeServiceFabric:
			// Service Fabric's error list: ArgumentNullOrEmpty.
			return refuse(http.StatusBadRequest, "ArgumentNullOrEmpty", "The parameter 'resource' should not be null or empty string.")
		}
		return m.badRequest("The resource parameter is missing.")
	}
	if !strings.HasSuffix(resource, "/.default") && !strings.ContainsAny(resource, " \t\r\n") {
		return nil
	}
	switch m.source {
	case SourceIMDS, SourceAzureArc:
		// PROTOCOL 7.3: "400 invalid_resource (unknown resource,
		// AADSTS5000x text)".
		return refuse(http.StatusBadRequest, "invalid_resource",
			"AADSTS500011: The resource principal named %s was not found in the tenant named %s.", quoted(resource), m.opts.TenantID)
	case SourceAppService:
		// PROTOCOL 7.4: "an unknown resource has been observed to give 500".
		return refuse(http.StatusInternalServerError, "InternalServerError", "An error occurred while getting a token for resource %s.", quoted(resource))
	case SourceServiceFabric:
		// Service Fabric's error list: InternalServerError, "Most likely
		// cause is an incorrect value specified for the resource".
		return refuse(http.StatusInternalServerError, "InternalServerError", "An error occurred.")
	}
	return m.badRequest("Resource %s is not a resource.", quoted(resource))
}

// pick finds the identity a request names. The system-assigned identity
// answers to its own ids too.
func (m *ManagedIdentity) pick(sel selector, value string) (MIIdentity, bool) {
	if sel == selNone {
		switch {
		case !m.opts.NoSystemAssigned:
			return m.system, true
		case m.source == SourceIMDS && len(m.ids) == 1:
			// PROTOCOL 7.3: "when the VM has exactly one user-assigned
			// identity and no system-assigned one, a system-assigned
			// request returns the user-assigned identity's token".
			return m.ids[0], true
		}
		return MIIdentity{}, false
	}
	candidates := m.ids
	if !m.opts.NoSystemAssigned {
		candidates = append([]MIIdentity{m.system}, m.ids...)
	}
	for _, id := range candidates {
		have := map[selector]string{selClientID: id.ClientID, selObjectID: id.ObjectID, selResourceID: id.ResourceID}[sel]
		if strings.EqualFold(have, value) {
			return id, true
		}
	}
	return MIIdentity{}, false
}

// tokenAnswer is the source's token answer for id and resource (PROTOCOL
// 7.11's field matrix): an RS256 JWT signed with the Server's key, and the
// source's fields with their own JSON types.
func (m *ManagedIdentity) tokenAnswer(id MIIdentity, resource string, sel selector) (map[string]any, error) {
	now := m.opts.Now()
	exp := now.Add(m.opts.TokenLifetime)
	claims := map[string]any{
		"aud":       resource,
		"iss":       "https://sts.windows.net/" + m.opts.TenantID + "/",
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"exp":       exp.Unix(),
		"tid":       m.opts.TenantID,
		"oid":       id.ObjectID,
		"sub":       id.ObjectID,
		"appid":     id.ClientID,
		"appidacr":  "2",
		"idtyp":     "app",
		"xms_mirid": id.ResourceID,
		"ver":       "1.0",
	}
	if m.source == SourceCloudShell {
		// PROTOCOL 7.6: "The token represents the signed-in portal user
		// (delegated), not an application identity."
		delete(claims, "xms_mirid")
		claims["idtyp"] = "user"
		claims["scp"] = "user_impersonation"
		claims["upn"] = "cloudshell-user@identitytest.example"
	}
	token, err := jwt.Sign(jwt.Header{Alg: jwt.RS256, Typ: "JWT", Kid: m.kid}, claims, m.key)
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"access_token": token,
		"expires_on":   m.expiresOn(exp),
		"resource":     resource,
		"token_type":   "Bearer",
	}
	if m.spec.expiresIn {
		secs := strconv.FormatInt(int64(m.opts.TokenLifetime/time.Second), 10)
		body["expires_in"] = secs
		body["not_before"] = strconv.FormatInt(now.Unix(), 10)
	}
	switch m.source {
	case SourceIMDS:
		body["client_id"] = id.ClientID
		body["ext_expires_in"] = body["expires_in"]
	case SourceAppService:
		body["client_id"] = id.ClientID
	case SourceAzureArc:
		// PROTOCOL 7.5: GO requires "the token response to echo the same
		// value (JSON field client_id / object_id / msi_res_id or
		// mi_res_id)". A legacy agent came here with sel cleared.
		body["client_id"] = id.ClientID
		switch sel {
		case selObjectID:
			body["object_id"] = id.ObjectID
		case selResourceID:
			body["msi_res_id"] = id.ResourceID
		}
	case SourceCloudShell:
		body["refresh_token"] = "" // PROTOCOL 7.6: "refresh_token (may be empty)"
	}
	return body, nil
}

// expiresOn writes t in the configured or the source's format.
func (m *ManagedIdentity) expiresOn(t time.Time) any {
	format := m.opts.ExpiresOnFormat
	if format == "" {
		format = m.spec.expiresOn
	}
	t = t.UTC()
	switch format {
	case ExpiresOnNumber:
		return t.Unix()
	case ExpiresOnDate:
		// PROTOCOL 7.8: "Linux form 06/20/2019 02:57:58 +00:00".
		return t.Format("01/02/2006 15:04:05") + " +00:00"
	case ExpiresOnDateAMPM:
		// PROTOCOL 7.8: "Windows form 1/16/2020 5:24:12 AM +00:00".
		return t.Format("1/2/2006 3:04:05 PM") + " +00:00"
	}
	return strconv.FormatInt(t.Unix(), 10)
}

// jsonText is an expiresOn value as JSON text, for the hand-built fault
// bodies: a number or a quoted string.
func jsonText(v any) string {
	if n, ok := v.(int64); ok {
		return strconv.FormatInt(n, 10)
	}
	s, _ := v.(string)
	return strconv.Quote(s)
}
