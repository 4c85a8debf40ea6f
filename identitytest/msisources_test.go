package identitytest

import (
	"errors"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

const armResource = "https://management.azure.com/"

// userID is the user-assigned identity the tests register.
var userID = MIIdentity{ClientID: "11111111-2222-4333-8444-555555555555"}

// TestManagedIdentityHappyPath asks every source for a token for the
// system-assigned identity and for the user-assigned one by each kind of
// id the source supports (PROTOCOL 7.12), and checks the answer's fields
// and their JSON types (7.11) and the token's claims.
func TestManagedIdentityHappyPath(t *testing.T) {
	type want struct {
		fields map[string]string // field -> "string", "number" or "absent"
	}
	common := map[string]string{"access_token": "string", "expires_on": "string", "resource": "string", "token_type": "string"}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range common {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	fields := map[MISource]map[string]string{
		SourceIMDS:          with(map[string]string{"client_id": "string", "expires_in": "string", "ext_expires_in": "string", "not_before": "string"}),
		SourceAppService:    with(map[string]string{"client_id": "string", "expires_in": "absent"}),
		SourceAzureArc:      with(map[string]string{"expires_in": "string", "not_before": "string"}),
		SourceCloudShell:    with(map[string]string{"expires_in": "string", "not_before": "string", "refresh_token": "string"}),
		SourceServiceFabric: with(map[string]string{"expires_on": "number", "expires_in": "absent", "client_id": "absent"}),
		SourceAzureML:       with(map[string]string{"expires_on": "number", "expires_in": "absent"}),
	}
	for _, source := range allSources {
		m := newMI(t, source, &MIOptions{Identities: identitiesFor(source), Now: func() time.Time { return fixedTime }})
		u := m.Identities()
		type ask struct {
			param, value string
			id           MIIdentity
		}
		asks := []ask{{"", "", m.SystemAssigned()}}
		for name, kind := range m.spec.idParams {
			v := map[selector]string{selClientID: u[0].ClientID, selObjectID: u[0].ObjectID, selResourceID: u[0].ResourceID}[kind]
			asks = append(asks, ask{name, strings.ToUpper(v), u[0]}) // ids match without regard to case
		}
		sort.Slice(asks, func(i, j int) bool { return asks[i].param < asks[j].param })
		for _, a := range asks {
			t.Run(string(source)+"/"+a.param, func(t *testing.T) {
				r := getToken(t, m, goodCall(m, armResource, a.param, a.value))
				if r.status != http.StatusOK {
					t.Fatalf("status %d: %s", r.status, r.raw)
				}
				for f, kind := range fields[source] {
					if got := jsonKind(r.body[f]); got != kind {
						t.Errorf("%s is %s; want %s (%s)", f, got, kind, r.raw)
					}
				}
				if r.str("resource") != armResource || r.str("token_type") != "Bearer" {
					t.Errorf("resource %q token_type %q", r.str("resource"), r.str("token_type"))
				}
				c := miClaims(t, m, r.str("access_token"))
				if c["aud"] != armResource || c["tid"] != DefaultTenantID || c["exp"] != float64(fixedTime.Add(24*time.Hour).Unix()) {
					t.Errorf("claims %v", c)
				}
				if source != SourceCloudShell && (c["appid"] != a.id.ClientID || c["oid"] != a.id.ObjectID || c["xms_mirid"] != a.id.ResourceID) {
					t.Errorf("claims name %v %v %v; want %+v", c["appid"], c["oid"], c["xms_mirid"], a.id)
				}
				if cid, ok := r.body["client_id"]; ok && cid != a.id.ClientID {
					t.Errorf("client_id %v; want %s", cid, a.id.ClientID)
				}
			})
		}
	}
}

// identitiesFor is userID where the source can select identities.
func identitiesFor(source MISource) []MIIdentity {
	if len(sourceSpecs[source].idParams) == 0 {
		return nil
	}
	return []MIIdentity{userID}
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "absent"
	case string:
		return "string"
	case float64:
		return "number"
	}
	return "other"
}

// TestManagedIdentityRejections spoils a correct request one way at a time
// and checks each source's refusal: status and error code.
func TestManagedIdentityRejections(t *testing.T) {
	type tc struct {
		name     string
		source   MISource
		spoil    func(c *miCall)
		status   int
		code     string // "" when the shape has none
		contains string // in the message
	}
	del := func(names ...string) func(*miCall) {
		return func(c *miCall) {
			for _, n := range names {
				c.params.Del(n)
				c.header.Del(n)
			}
		}
	}
	set := func(kv ...string) func(*miCall) {
		return func(c *miCall) {
			for i := 0; i < len(kv); i += 2 {
				c.params.Set(kv[i], kv[i+1])
			}
		}
	}
	header := func(k, v string) func(*miCall) { return func(c *miCall) { c.header.Set(k, v) } }
	method := func(m string) func(*miCall) { return func(c *miCall) { c.method = m } }
	unknown := "99999999-0000-4000-8000-000000000000"
	cases := []tc{
		// IMDS (PROTOCOL 7.3).
		{"no Metadata", SourceIMDS, del("Metadata"), 400, "bad_request_102", "metadata header"},
		{"Metadata false", SourceIMDS, header("Metadata", "false"), 400, "bad_request_102", ""},
		{"POST", SourceIMDS, method(http.MethodPost), 405, "method_not_allowed", "GET"},
		{"no api-version", SourceIMDS, del("api-version"), 400, "", "api-version was not specified"},
		{"App Service api-version", SourceIMDS, set("api-version", "2019-08-01"), 400, "", "api-version is invalid"},
		{"mi_res_id", SourceIMDS, set("mi_res_id", "/subscriptions/x"), 400, "invalid_request", "mi_res_id"},
		{"clientid", SourceIMDS, set("clientid", userID.ClientID), 400, "invalid_request", "clientid"},
		{"unknown client_id", SourceIMDS, set("client_id", unknown), 400, "invalid_request", "Identity not found"},
		{"unknown msi_res_id", SourceIMDS, set("msi_res_id", "/subscriptions/x/y"), 400, "invalid_request", "Identity not found"},
		{"two ids", SourceIMDS, set("client_id", userID.ClientID, "object_id", unknown), 400, "invalid_request", "two identities"},
		{"empty client_id", SourceIMDS, set("client_id", ""), 400, "invalid_request", "empty"},
		{"no resource", SourceIMDS, del("resource"), 400, "invalid_request", "'resource' is missing"},
		{"scope not resource", SourceIMDS, set("resource", armResource+".default"), 400, "invalid_resource", "AADSTS500011"},
		{"two scopes", SourceIMDS, set("resource", "a b"), 400, "invalid_resource", ""},
		{"repeated resource", SourceIMDS, func(c *miCall) { c.params.Add("resource", "x") }, 400, "invalid_request", "more than once"},
		{"wrong path", SourceIMDS, func(c *miCall) { c.path = "/metadata/identity/oauth2/token/" }, 404, "not_found", ""},

		// App Service (7.4).
		{"no X-IDENTITY-HEADER", SourceAppService, del("X-IDENTITY-HEADER"), 400, "", "X-IDENTITY-HEADER"},
		{"wrong X-IDENTITY-HEADER", SourceAppService, header("X-IDENTITY-HEADER", "guess"), 401, "", "X-IDENTITY-HEADER"},
		{"Metadata instead of secret", SourceAppService, func(c *miCall) {
			c.header.Del("X-IDENTITY-HEADER")
			c.header.Set("Metadata", "true")
		}, 400, "", "X-IDENTITY-HEADER"},
		{"secret header of 2017", SourceAppService, func(c *miCall) {
			c.header.Set("secret", c.header.Get("X-IDENTITY-HEADER"))
			c.header.Del("X-IDENTITY-HEADER")
		}, 400, "", ""},
		{"IMDS api-version", SourceAppService, set("api-version", "2018-02-01"), 400, "", "2019-08-01"},
		{"msi_res_id", SourceAppService, set("msi_res_id", "/subscriptions/x"), 400, "", "mi_res_id"},
		{"clientid", SourceAppService, set("clientid", userID.ClientID), 400, "", "clientid"},
		{"unknown client_id", SourceAppService, set("client_id", unknown), 400, "", "No Managed Identity found"},
		{"unknown mi_res_id", SourceAppService, set("mi_res_id", "/subscriptions/x/y"), 400, "", "No Managed Identity found"},
		{"unknown principal_id", SourceAppService, set("principal_id", unknown), 400, "", "No Managed Identity found"},
		{"scope not resource", SourceAppService, set("resource", armResource+".default"), 500, "", ""},
		{"POST", SourceAppService, method(http.MethodPost), 405, "", ""},

		// Azure Arc (7.5); the challenge is in TestArcChallenge.
		{"no Metadata", SourceAzureArc, del("Metadata"), 400, "bad_request_102", ""},
		{"IMDS api-version", SourceAzureArc, set("api-version", "2018-02-01"), 400, "", "api-version is invalid"},
		{"mi_res_id", SourceAzureArc, set("mi_res_id", "/subscriptions/x"), 400, "invalid_request", "msi_res_id"},
		{"wrong key", SourceAzureArc, header("Authorization", "Basic not-a-key"), 401, "unauthorized_client", "key file"},
		{"wrong scheme", SourceAzureArc, header("Authorization", "Bearer x"), 401, "unauthorized_client", ""},
		{"no resource", SourceAzureArc, del("resource"), 400, "invalid_request", "'resource' is missing"},

		// Cloud Shell (7.6).
		{"GET", SourceCloudShell, method(http.MethodGet), 405, "method_not_allowed", "POST"},
		{"no Metadata", SourceCloudShell, del("Metadata"), 400, "BadRequest", "metadata header"},
		{"query", SourceCloudShell, func(c *miCall) { c.rawQuery = "resource=x" }, 400, "BadRequest", "form body"},
		{"JSON body", SourceCloudShell, func(c *miCall) {
			c.contentType = "application/json"
			c.body = `{"resource":"x"}`
		}, 400, "BadRequest", "x-www-form-urlencoded"},
		{"client_id", SourceCloudShell, set("client_id", userID.ClientID), 400, "BadRequest", "client_id"},
		{"api-version", SourceCloudShell, set("api-version", "2018-02-01"), 400, "BadRequest", "api-version"},
		{"no resource", SourceCloudShell, del("resource"), 400, "BadRequest", "resource"},

		// Service Fabric (7.7).
		{"no Secret", SourceServiceFabric, del("Secret"), 401, "SecretHeaderNotFound", ""},
		{"wrong Secret", SourceServiceFabric, header("Secret", "guess"), 404, "ManagedIdentityNotFound", ""},
		{"X-IDENTITY-HEADER instead", SourceServiceFabric, func(c *miCall) {
			c.header.Set("X-IDENTITY-HEADER", c.header.Get("Secret"))
			c.header.Del("Secret")
		}, 401, "SecretHeaderNotFound", ""},
		{"App Service api-version", SourceServiceFabric, set("api-version", "2019-08-01"), 400, "InvalidApiVersion", "2019-07-01-preview"},
		{"no resource", SourceServiceFabric, del("resource"), 400, "ArgumentNullOrEmpty", ""},
		{"client_id", SourceServiceFabric, set("client_id", userID.ClientID), 400, "BadRequest", "client_id"},
		{"scope not resource", SourceServiceFabric, set("resource", armResource+".default"), 500, "InternalServerError", ""},

		// Azure ML (7.8).
		{"no secret", SourceAzureML, del("secret"), 400, "", "secret"},
		{"wrong secret", SourceAzureML, header("secret", "guess"), 401, "", ""},
		{"X-IDENTITY-HEADER instead", SourceAzureML, func(c *miCall) {
			c.header.Set("X-IDENTITY-HEADER", c.header.Get("secret"))
			c.header.Del("secret")
		}, 400, "", ""},
		{"App Service api-version", SourceAzureML, set("api-version", "2019-08-01"), 400, "", "2017-09-01"},
		{"client_id", SourceAzureML, set("client_id", userID.ClientID), 400, "", "clientid"},
		{"object_id", SourceAzureML, set("object_id", userID.ClientID), 400, "", "object_id"},
		{"unknown clientid", SourceAzureML, set("clientid", unknown), 400, "", "No Managed Identity found"},
	}
	mis := map[MISource]*ManagedIdentity{}
	for _, s := range allSources {
		mis[s] = newMI(t, s, &MIOptions{Identities: identitiesFor(s)})
	}
	for _, c := range cases {
		t.Run(string(c.source)+"/"+c.name, func(t *testing.T) {
			m := mis[c.source]
			call := goodCall(m, armResource, "", "")
			c.spoil(&call)
			r := getToken(t, m, call)
			code, msg := errorText(r)
			if r.status != c.status || code != c.code || !strings.Contains(msg, c.contains) {
				t.Fatalf("got %d %q %q; want %d %q containing %q\n%s", r.status, code, msg, c.status, c.code, c.contains, r.raw)
			}
			if secret := m.secret; secret != "" && strings.Contains(r.raw, secret) {
				t.Fatalf("the answer echoes the secret: %s", r.raw)
			}
			checkShape(t, c.source, r)
		})
	}
}

// checkShape checks that an error answer has its source's shape
// (PROTOCOL 7.3 to 7.8).
func checkShape(t *testing.T, source MISource, r reply) {
	t.Helper()
	var ok bool
	switch sourceSpecs[source].shape {
	case shapeIMDS:
		_, ok = r.body["error"].(string)
	case shapeAppService:
		_, ok1 := r.body["statusCode"].(float64)
		_, ok2 := r.body["message"].(string)
		_, ok3 := r.body["correlationId"].(string)
		ok = ok1 && ok2 && ok3 && r.body["statusCode"] == float64(r.status)
	case shapeCloudShell:
		e, _ := r.body["error"].(map[string]any)
		_, ok = e["code"].(string)
	case shapeServiceFabric:
		e, _ := r.body["error"].(map[string]any)
		_, ok1 := e["code"].(string)
		_, ok2 := e["correlationId"].(string)
		ok = ok1 && ok2
	}
	if !ok {
		t.Errorf("%s error answer of the wrong shape: %s", source, r.raw)
	}
}

// TestManagedIdentityNoSystemAssigned: a host without a system-assigned
// identity refuses a request for it, except IMDS with exactly one
// user-assigned identity, which answers with that one (PROTOCOL 7.3).
func TestManagedIdentityNoSystemAssigned(t *testing.T) {
	for _, source := range allSources {
		t.Run(string(source), func(t *testing.T) {
			m := newMI(t, source, &MIOptions{NoSystemAssigned: true})
			r := getToken(t, m, goodCall(m, armResource, "", ""))
			if r.status == http.StatusOK || r.status >= 500 {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			checkShape(t, source, r)
			if len(m.spec.idParams) == 0 {
				return
			}
			// The system identity's own ids do not name it either.
			name := ""
			for n, kind := range m.spec.idParams {
				if kind == selClientID {
					name = n
				}
			}
			if r := getToken(t, m, goodCall(m, armResource, name, m.SystemAssigned().ClientID)); r.status != http.StatusBadRequest {
				t.Fatalf("by client id: status %d: %s", r.status, r.raw)
			}
		})
	}
	m := newMI(t, SourceIMDS, &MIOptions{NoSystemAssigned: true, Identities: []MIIdentity{userID}})
	r := getToken(t, m, goodCall(m, armResource, "", ""))
	if r.status != http.StatusOK || r.str("client_id") != userID.ClientID {
		t.Fatalf("IMDS with one user-assigned identity: %d %s", r.status, r.raw)
	}
	m = newMI(t, SourceIMDS, &MIOptions{NoSystemAssigned: true, Identities: []MIIdentity{userID, {ClientID: "x"}}})
	if r := getToken(t, m, goodCall(m, armResource, "", "")); r.status != http.StatusBadRequest {
		t.Fatalf("IMDS with two user-assigned identities: %d %s", r.status, r.raw)
	}
}

// TestAzureMLEmptyClientID: GO sends clientid set from
// DEFAULT_IDENTITY_CLIENT_ID, possibly empty (PROTOCOL 7.8); empty means
// system-assigned, and Env's value names the system identity.
func TestAzureMLEmptyClientID(t *testing.T) {
	m := newMI(t, SourceAzureML, nil)
	for _, v := range []string{"", m.Env()["DEFAULT_IDENTITY_CLIENT_ID"]} {
		r := m.get(t, goodCall(m, armResource, "clientid", v))
		if r.status != http.StatusOK || miClaims(t, m, r.str("access_token"))["appid"] != m.SystemAssigned().ClientID {
			t.Fatalf("clientid=%q: %d %s", v, r.status, r.raw)
		}
	}
}

// get is getToken as a method, for brevity.
func (m *ManagedIdentity) get(t testing.TB, c miCall) reply { t.Helper(); return getToken(t, m, c) }

// TestExpiresOnFormats writes expires_on in each format PROTOCOL 7.8 and
// 7.11 list, for every source.
func TestExpiresOnFormats(t *testing.T) {
	exp := fixedTime.Add(24 * time.Hour)
	cases := []struct {
		format string
		want   any
	}{
		{ExpiresOnNumber, float64(exp.Unix())},
		{ExpiresOnString, "1735873445"},
		{ExpiresOnDate, "01/03/2025 03:04:05 +00:00"},
		{ExpiresOnDateAMPM, "1/3/2025 3:04:05 AM +00:00"},
	}
	for _, source := range allSources {
		for _, c := range cases {
			t.Run(string(source)+"/"+c.format, func(t *testing.T) {
				m := newMI(t, source, &MIOptions{ExpiresOnFormat: c.format, Now: func() time.Time { return fixedTime }})
				r := m.get(t, goodCall(m, armResource, "", ""))
				if r.status != 200 || r.body["expires_on"] != c.want {
					t.Fatalf("expires_on %#v; want %#v (%s)", r.body["expires_on"], c.want, r.raw)
				}
			})
		}
	}
	// The afternoon form of the Windows layout.
	m := newMI(t, SourceAzureML, &MIOptions{ExpiresOnFormat: ExpiresOnDateAMPM, TokenLifetime: 10 * time.Hour,
		Now: func() time.Time { return fixedTime }})
	if r := m.get(t, goodCall(m, armResource, "", "")); r.body["expires_on"] != "1/2/2025 1:04:05 PM +00:00" {
		t.Fatalf("expires_on %v", r.body["expires_on"])
	}
}

// TestNewManagedIdentityOptions: options that cannot work are errors that
// wrap ErrInvalidOptions, never a panic.
func TestNewManagedIdentityOptions(t *testing.T) {
	cases := []struct {
		name   string
		source MISource
		o      *MIOptions
		want   string
	}{
		{"unknown source", "VM", nil, "unknown managed identity source"},
		{"empty source", "", nil, "unknown managed identity source"},
		{"bad format", SourceIMDS, &MIOptions{ExpiresOnFormat: "rfc3339"}, "ExpiresOnFormat"},
		{"Cloud Shell identities", SourceCloudShell, &MIOptions{Identities: []MIIdentity{userID}}, "cannot select"},
		{"Service Fabric identities", SourceServiceFabric, &MIOptions{Identities: []MIIdentity{userID}}, "cannot select"},
		{"identity without id", SourceIMDS, &MIOptions{Identities: []MIIdentity{{}}}, "has no id"},
		{"duplicate id", SourceIMDS, &MIOptions{Identities: []MIIdentity{userID, {ObjectID: strings.ToUpper(userID.ClientID)}}}, "used twice"},
		{"relative Arc dir", SourceAzureArc, &MIOptions{ArcTokenDir: "tokens"}, "absolute"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := NewManagedIdentity(c.source, c.o)
			if m != nil {
				m.Close()
			}
			if !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "identitytest: ") {
				t.Fatalf("err = %v; want ErrInvalidOptions with %q", err, c.want)
			}
		})
	}
}

// TestManagedIdentityDerivedIDs: an identity given by one id is found by
// the others, and the derived ids are stable.
func TestManagedIdentityDerivedIDs(t *testing.T) {
	m := newMI(t, SourceIMDS, &MIOptions{Identities: []MIIdentity{{ResourceID: "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mine"}}})
	id := m.Identities()[0]
	if id.ClientID == "" || id.ObjectID == "" || id.ClientID == id.ObjectID {
		t.Fatalf("derived %+v", id)
	}
	for param, v := range map[string]string{"client_id": id.ClientID, "object_id": id.ObjectID, "msi_res_id": strings.ToLower(id.ResourceID)} {
		if r := m.get(t, goodCall(m, armResource, param, v)); r.status != 200 || r.str("client_id") != id.ClientID {
			t.Errorf("%s: %d %s", param, r.status, r.raw)
		}
	}
	again := newMI(t, SourceIMDS, &MIOptions{Identities: []MIIdentity{{ResourceID: id.ResourceID}}})
	if !reflect.DeepEqual(again.Identities(), m.Identities()) || again.SystemAssigned() != m.SystemAssigned() {
		t.Fatalf("derived ids differ between fakes: %+v %+v", again.Identities(), m.Identities())
	}
}

// TestManagedIdentityRequestLog: every request is logged as sent, with its
// status; ResetRequests empties the log.
func TestManagedIdentityRequestLog(t *testing.T) {
	m := newMI(t, SourceCloudShell, nil)
	m.get(t, goodCall(m, armResource, "", ""))
	c := goodCall(m, armResource, "", "")
	c.header.Del("Metadata")
	m.get(t, c)
	log := m.Requests()
	if len(log) != 2 {
		t.Fatalf("%d requests logged", len(log))
	}
	if got := log[0].String(); got != "POST /oauth2/token resource="+armResource+" -> 200" {
		t.Errorf("log[0] = %s", got)
	}
	if log[0].Header.Get("Metadata") != "true" || log[1].Status != 400 || log[1].Form.Get("resource") != armResource {
		t.Errorf("log = %+v", log)
	}
	log[0].Form.Set("resource", "changed")
	if m.Requests()[0].Form.Get("resource") != armResource {
		t.Error("Requests shares its maps with the log")
	}
	m.ResetRequests()
	if len(m.Requests()) != 0 {
		t.Error("ResetRequests left requests")
	}
}
