package identitytest_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/azid-go/azid/identitytest"
	"github.com/azid-go/azid/jwt"
)

// tokenReply is the part of a token response the examples print.
type tokenReply struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Error        string `json:"error"`
	ErrorCodes   []int  `json:"error_codes"`
}

// postForm sends a token request the way any OAuth client would, with the
// client that trusts the fake server's certificate.
func postForm(srv *identitytest.Server, path string, form url.Values) (int, tokenReply) {
	resp, err := srv.Client().PostForm(srv.URL()+path, form)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var r tokenReply
	_ = json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode, r
}

// claims verifies an issued token with the server's key and returns its
// claims.
func claims(srv *identitytest.Server, token string) map[string]any {
	_, payload, err := jwt.Verify(token, srv.SigningKey())
	if err != nil {
		panic(err)
	}
	var c map[string]any
	_ = json.Unmarshal(payload, &c)
	return c
}

// Start a fake Entra ID, register an app with a secret, get a token the way
// the code under test would, and read the request log. Point the code under
// test at srv.Authority() (identity.ClientOptions.AuthorityHost) with
// srv.Client() as its HTTP client.
func Example() {
	srv := identitytest.New(nil)
	defer srv.Close()
	srv.AddApp(identitytest.App{ClientID: "my-app", Secret: "my-secret", Roles: []string{"Secrets.Read"}})

	status, tok := postForm(srv, "/my-tenant/oauth2/v2.0/token", url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {"my-app"},
		"client_secret": {"my-secret"},
		"scope":         {"https://vault.azure.net/.default"},
	})
	fmt.Println(status, tok.TokenType, tok.ExpiresIn)
	c := claims(srv, tok.AccessToken)
	fmt.Println(c["aud"], c["tid"], c["appid"], c["roles"])

	for _, r := range srv.Requests() {
		fmt.Println(r) // secrets redacted
	}
	// Output:
	// 200 Bearer 3600
	// https://vault.azure.net my-tenant my-app [Secrets.Read]
	// POST /my-tenant/oauth2/v2.0/token client_id=my-app client_secret=[REDACTED] grant_type=client_credentials scope=https://vault.azure.net/.default -> 200
}

// Queue faults to test retries: here Entra ID throttles the first request.
func ExampleServer_Fault() {
	srv := identitytest.New(nil)
	defer srv.Close()
	srv.AddApp(identitytest.App{ClientID: "my-app", Secret: "my-secret"})
	srv.Fault(identitytest.Fault{Path: "oauth2/v2.0/token", Status: http.StatusTooManyRequests, RetryAfter: "2"})

	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"my-app"},
		"client_secret": {"my-secret"}, "scope": {"https://vault.azure.net/.default"}}
	for i := 0; i < 2; i++ {
		status, tok := postForm(srv, "/my-tenant/oauth2/v2.0/token", form)
		fmt.Printf("%d error=%q token_type=%q\n", status, tok.Error, tok.TokenType)
	}
	// Output:
	// 429 error="temporarily_unavailable" token_type=""
	// 200 error="" token_type="Bearer"
}

// Mint an authorization code for a user, as the authorize endpoint would
// after sign-in, and redeem it with PKCE.
func ExampleServer_AuthCode() {
	srv := identitytest.New(nil)
	defer srv.Close()
	srv.AddApp(identitytest.App{ClientID: "spa", Public: true})
	srv.AddUser(identitytest.User{Username: "alice@contoso.com", Tenant: "contoso"})

	verifier := strings.Repeat("v", 43)
	code := srv.AuthCode("spa", "http://localhost/cb", "alice@contoso.com",
		[]string{"https://graph.microsoft.com/User.Read"}, identitytest.PKCEChallenge(verifier))
	redeem := url.Values{"grant_type": {"authorization_code"}, "client_id": {"spa"}, "code": {code},
		"redirect_uri": {"http://localhost/cb"}, "code_verifier": {verifier}}

	status, tok := postForm(srv, "/organizations/oauth2/v2.0/token", redeem)
	c := claims(srv, tok.AccessToken)
	fmt.Println(status, c["upn"], c["tid"], c["scp"], tok.RefreshToken != "")

	status, tok = postForm(srv, "/organizations/oauth2/v2.0/token", redeem) // codes are single-use
	fmt.Println(status, tok.Error, tok.ErrorCodes)
	// Output:
	// 200 alice@contoso.com contoso User.Read true
	// 400 invalid_grant [54005]
}

// Drive the device code flow from the test: the client asks for a code,
// the test approves it, the client's next poll gets tokens.
func ExampleServer_ApproveDeviceCode() {
	srv := identitytest.New(nil)
	defer srv.Close()
	srv.AddApp(identitytest.App{ClientID: "cli", Public: true})
	srv.AddUser(identitytest.User{Username: "alice@contoso.com"})

	resp, err := srv.Client().PostForm(srv.URL()+"/organizations/oauth2/v2.0/devicecode",
		url.Values{"client_id": {"cli"}, "scope": {"https://graph.microsoft.com/User.Read"}})
	if err != nil {
		panic(err)
	}
	var dc struct {
		UserCode   string `json:"user_code"`
		DeviceCode string `json:"device_code"`
		Interval   int    `json:"interval"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&dc)
	resp.Body.Close()

	poll := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
		"client_id": {"cli"}, "device_code": {dc.DeviceCode}}
	status, tok := postForm(srv, "/organizations/oauth2/v2.0/token", poll)
	fmt.Println(status, tok.Error)

	if err := srv.ApproveDeviceCode(dc.UserCode, "alice@contoso.com"); err != nil {
		panic(err)
	}
	status, tok = postForm(srv, "/organizations/oauth2/v2.0/token", poll)
	fmt.Println(status, claims(srv, tok.AccessToken)["upn"])
	// Output:
	// 400 authorization_pending
	// 200 alice@contoso.com
}

// A protected resource that answers with a CAE claims challenge; a token
// requested with the challenge's claims gets through.
func ExampleServer_Resource() {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := identitytest.New(&identitytest.Options{Now: func() time.Time { return now }})
	defer srv.Close()
	srv.AddApp(identitytest.App{ClientID: "my-app", Secret: "my-secret"})
	res := srv.Resource("https://vault.azure.net", nil)

	getToken := func(claims string) string {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"my-app"},
			"client_secret": {"my-secret"}, "scope": {"https://vault.azure.net/.default"}}
		if claims != "" {
			form.Set("claims", claims)
		}
		_, tok := postForm(srv, "/my-tenant/oauth2/v2.0/token", form)
		return tok.AccessToken
	}
	call := func(token string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, res.URL()+"/secrets/db", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp
	}

	token := getToken(`{"access_token":{"xms_cc":{"values":["CP1"]}}}`)
	fmt.Println(call(token).StatusCode)

	res.Challenge("") // e.g. the user's session was revoked
	resp := call(token)
	h := resp.Header.Get("WWW-Authenticate")
	_, b64, _ := strings.Cut(h, `claims="`)
	decoded, _ := base64.StdEncoding.DecodeString(strings.TrimSuffix(b64, `"`))
	fmt.Println(resp.StatusCode, string(decoded))

	fmt.Println(call(getToken(string(decoded))).StatusCode)
	// Output:
	// 200
	// 401 {"access_token":{"nbf":{"essential":true,"value":"1735787046"}}}
	// 200
}
