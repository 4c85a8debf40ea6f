package identitytest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/azid-go/azid/identitytest"
)

// getJSON sends req with client and decodes the JSON answer.
func getJSON(client *http.Client, req *http.Request) (int, map[string]any) {
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// A fake IMDS. In a test, mi.Setenv(t) points the code under test at it
// through AZURE_POD_IDENTITY_AUTHORITY_HOST; here the request is made by
// hand, as a managed identity client makes it.
func ExampleNewManagedIdentity() {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	mi, err := identitytest.NewManagedIdentity(identitytest.SourceIMDS, &identitytest.MIOptions{
		Identities: []identitytest.MIIdentity{{ClientID: "11111111-2222-4333-8444-555555555555"}},
		Now:        func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	defer mi.Close()

	ask := func(query string, metadata bool) {
		req, _ := http.NewRequest(http.MethodGet, mi.TokenURL()+"?api-version=2018-02-01&resource=https://vault.azure.net"+query, nil)
		if metadata {
			req.Header.Set("Metadata", "true")
		}
		status, tok := getJSON(mi.Client(), req)
		fmt.Println(status, tok["client_id"], tok["expires_in"], tok["expires_on"], tok["error"], tok["error_description"])
	}
	ask("&client_id=11111111-2222-4333-8444-555555555555", true)
	ask("&client_id=99999999-0000-4000-8000-000000000000", true)
	ask("", false)

	for _, r := range mi.Requests() {
		fmt.Println(r.Method, r.Path, r.Query.Get("client_id"), r.Status)
	}
	// Output:
	// 200 11111111-2222-4333-8444-555555555555 86400 1735873445 <nil> <nil>
	// 400 <nil> <nil> <nil> invalid_request Identity not found
	// 400 <nil> <nil> <nil> bad_request_102 Required metadata header not specified
	// GET /metadata/identity/oauth2/token 11111111-2222-4333-8444-555555555555 200
	// GET /metadata/identity/oauth2/token 99999999-0000-4000-8000-000000000000 400
	// GET /metadata/identity/oauth2/token  400
}

// Azure Arc's challenge: the first request gets 401 and the name of a key
// file; the second carries the file's content. A client under test must be
// told to expect key files in mi.ArcTokenDir() (package imds:
// Config.ArcTokenDir), since the agent's real directory is not writable.
func ExampleNewManagedIdentity_azureArc() {
	mi, err := identitytest.NewManagedIdentity(identitytest.SourceAzureArc, nil)
	if err != nil {
		panic(err)
	}
	defer mi.Close()
	fmt.Println(strings.Join(sortedKeys(mi.Env()), " "))

	req, _ := http.NewRequest(http.MethodGet, mi.Env()["IDENTITY_ENDPOINT"]+"?api-version=2020-06-01&resource=https://management.azure.com", nil)
	req.Header.Set("Metadata", "true")
	resp, err := mi.Client().Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	path := strings.TrimPrefix(resp.Header.Get("WWW-Authenticate"), "Basic realm=")
	fmt.Println(resp.StatusCode, filepath.Dir(path) == mi.ArcTokenDir(), filepath.Ext(path))

	key, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Basic "+string(key))
	status, tok := getJSON(mi.Client(), req)
	fmt.Println(status, tok["token_type"], tok["resource"])
	// Output:
	// IDENTITY_ENDPOINT IMDS_ENDPOINT
	// 401 true .key
	// 200 Bearer https://management.azure.com
}

// Service Fabric's endpoint is HTTPS with its own certificate, whose
// thumbprint Env hands the client to pin.
func ExampleNewManagedIdentity_serviceFabric() {
	mi, err := identitytest.NewManagedIdentity(identitytest.SourceServiceFabric, nil)
	if err != nil {
		panic(err)
	}
	defer mi.Close()
	env := mi.Env()
	fmt.Println(strings.Join(sortedKeys(env), " "))
	fmt.Println(strings.HasPrefix(env["IDENTITY_ENDPOINT"], "https://"), len(env["IDENTITY_SERVER_THUMBPRINT"]))

	req, _ := http.NewRequest(http.MethodGet, env["IDENTITY_ENDPOINT"]+"?api-version=2019-07-01-preview&resource=https://vault.azure.net", nil)
	req.Header.Set("Secret", env["IDENTITY_HEADER"])
	status, tok := getJSON(mi.Client(), req)
	_, isNumber := tok["expires_on"].(float64)
	fmt.Println(status, isNumber)
	// Output:
	// IDENTITY_ENDPOINT IDENTITY_HEADER IDENTITY_SERVER_THUMBPRINT
	// true 40
	// 200 true
}

// Queue faults to test a client's retries: IMDS is being upgraded (410),
// then throttles (429), then answers.
func ExampleManagedIdentity_Fault() {
	mi, err := identitytest.NewManagedIdentity(identitytest.SourceIMDS, nil)
	if err != nil {
		panic(err)
	}
	defer mi.Close()
	mi.Fault(identitytest.Fault{Status: http.StatusGone})
	mi.Fault(identitytest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "2"})

	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest(http.MethodGet, mi.TokenURL()+"?api-version=2018-02-01&resource=https://vault.azure.net", nil)
		req.Header.Set("Metadata", "true")
		status, tok := getJSON(mi.Client(), req)
		fmt.Println(status, tok["error"], tok["token_type"])
	}
	// Output:
	// 410 gone <nil>
	// 429 too_many_requests <nil>
	// 200 <nil> Bearer
}

// An Azure Pipelines job federated with an app on the fake Entra ID: the
// OIDC token from the pipeline's endpoint is the client assertion.
func ExampleNewPipelinesOIDC() {
	srv := identitytest.New(nil)
	defer srv.Close()
	oidc := identitytest.NewPipelinesOIDC(nil)
	defer oidc.Close()
	srv.AddApp(identitytest.App{ClientID: "pipeline-app", Federated: oidc.Validate})

	u := oidc.Env()["SYSTEM_OIDCREQUESTURI"] + "?" + url.Values{
		"api-version": {"7.1"}, "serviceConnectionId": {oidc.ServiceConnectionID()}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, u, nil)
	req.Header.Set("Authorization", "Bearer "+oidc.Env()["SYSTEM_ACCESSTOKEN"])
	req.Header.Set("X-TFS-FedAuthRedirect", "Suppress")
	status, body := getJSON(oidc.Client(), req)
	assertion, _ := body["oidcToken"].(string)
	fmt.Println(status, oidc.Validate(assertion))

	status, tok := postForm(srv, "/my-tenant/oauth2/v2.0/token", url.Values{
		"grant_type":            {"client_credentials"},
		"client_id":             {"pipeline-app"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
		"scope":                 {"https://management.azure.com/.default"},
	})
	fmt.Println(status, tok.TokenType)
	// Output:
	// 200 <nil>
	// 200 Bearer
}

// A GitHub Actions job: the request URL carries its own query, to which
// the client appends the audience.
func ExampleNewGitHubOIDC() {
	oidc := identitytest.NewGitHubOIDC(nil)
	defer oidc.Close()
	env := oidc.Env()

	req, _ := http.NewRequest(http.MethodGet, env["ACTIONS_ID_TOKEN_REQUEST_URL"]+"&audience="+url.QueryEscape(identitytest.FederatedAudience), nil)
	req.Header.Set("Authorization", "Bearer "+env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"])
	status, body := getJSON(oidc.Client(), req)
	token, _ := body["value"].(string)
	fmt.Println(status, oidc.Validate(token), oidc.Subject())
	// Output:
	// 200 <nil> repo:octo-org/octo-repo:ref:refs/heads/main
}

// Workload identity on AKS: a token file and the variables the webhook
// sets; App registers the app that trusts the cluster.
func ExampleNewWorkloadIdentity() {
	srv := identitytest.New(nil)
	defer srv.Close()
	w, err := identitytest.NewWorkloadIdentity(srv, &identitytest.WorkloadIdentityOptions{TenantID: "contoso", ClientID: "aks-app"})
	if err != nil {
		panic(err)
	}
	defer w.Close()
	srv.AddApp(w.App())
	fmt.Println(strings.Join(sortedKeys(w.Env()), " "))

	assertion, err := os.ReadFile(w.Env()["AZURE_FEDERATED_TOKEN_FILE"])
	if err != nil {
		panic(err)
	}
	status, tok := postForm(srv, "/contoso/oauth2/v2.0/token", url.Values{
		"grant_type":            {"client_credentials"},
		"client_id":             {"aks-app"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {string(assertion)},
		"scope":                 {"https://vault.azure.net/.default"},
	})
	fmt.Println(status, claims(srv, tok.AccessToken)["appid"])
	// Output:
	// AZURE_AUTHORITY_HOST AZURE_CLIENT_ID AZURE_FEDERATED_TOKEN_FILE AZURE_TENANT_ID
	// 200 aks-app
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
