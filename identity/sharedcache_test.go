package identity

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azid-go/azid/identitytest"
)

// userRefreshToken signs username in through the password grant as the
// developer sign-on client and returns the refresh token the fake issued.
func userRefreshToken(t *testing.T, s *identitytest.Server, username string) string {
	t.Helper()
	return clientRefreshToken(t, s, developerSignOnClientID, username)
}

// clientRefreshToken is userRefreshToken for the public client clientID.
func clientRefreshToken(t *testing.T, s *identitytest.Server, clientID, username string) string {
	t.Helper()
	resp, err := s.Client().PostForm(s.TokenURL(testTenant), url.Values{
		"grant_type": {"password"}, "client_id": {clientID}, "username": {username},
		"password": {testPassword}, "scope": {"openid offline_access " + testScope},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.RefreshToken == "" {
		t.Fatalf("no refresh token: %v", err)
	}
	return body.RefreshToken
}

// writeMSALCache writes a plaintext MSAL cache (PROTOCOL.md 10.2 schema)
// holding one account per user with its refresh token.
func writeMSALCache(t *testing.T, s *identitytest.Server, users map[string]string) string {
	t.Helper()
	accounts := map[string]any{}
	rts := map[string]any{}
	i := 0
	for username, rt := range users {
		i++
		home := strings.Repeat(string(rune('a'+i)), 8) + "-0000-4000-8000-000000000000." + testTenant
		accounts[home+"-"+s.Host()+"-"+testTenant] = map[string]string{
			"home_account_id": home, "environment": s.Host(), "realm": testTenant,
			"local_account_id": home[:36], "username": username, "authority_type": "MSSTS",
		}
		rts[home+"-"+s.Host()+"-refreshtoken-"+developerSignOnClientID] = map[string]string{
			"credential_type": "RefreshToken", "secret": rt, "home_account_id": home,
			"environment": s.Host(), "client_id": developerSignOnClientID, "family_id": "1",
		}
	}
	b, _ := json.Marshal(map[string]any{"Account": accounts, "RefreshToken": rts})
	path := filepath.Join(t.TempDir(), "msal.cache")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSharedTokenCacheCredential(t *testing.T) {
	s := newServer(t, nil)
	s.AddApp(identitytest.App{ClientID: developerSignOnClientID, Public: true})
	s.AddUser(identitytest.User{Username: testUser, Password: testPassword})
	s.AddUser(identitytest.User{Username: "grace@contoso.example", Password: testPassword})
	one := writeMSALCache(t, s, map[string]string{testUser: userRefreshToken(t, s, testUser)})
	c, err := NewSharedTokenCacheCredential(&SharedTokenCacheCredentialOptions{ClientOptions: testOptions(s), CachePath: one})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	if err != nil {
		t.Fatal(err)
	}
	if claimsOf(t, tok.Token)["upn"] == nil && claimsOf(t, tok.Token)["preferred_username"] == nil && claimsOf(t, tok.Token)["oid"] == nil {
		t.Errorf("not a user token: %v", claimsOf(t, tok.Token))
	}
	two := writeMSALCache(t, s, map[string]string{
		testUser: userRefreshToken(t, s, testUser), "grace@contoso.example": userRefreshToken(t, s, "grace@contoso.example"),
	})
	c2, _ := NewSharedTokenCacheCredential(&SharedTokenCacheCredentialOptions{ClientOptions: testOptions(s), CachePath: two})
	_, err = c2.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	var cue *CredentialUnavailableError
	if !errors.As(err, &cue) || !strings.Contains(err.Error(), "grace@contoso.example") {
		t.Fatalf("two accounts, no username: err = %v; want unavailable listing the usernames", err)
	}
	c3, _ := NewSharedTokenCacheCredential(&SharedTokenCacheCredentialOptions{ClientOptions: testOptions(s), CachePath: two, Username: "grace@contoso.example"})
	if _, err := c3.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); err != nil {
		t.Fatalf("by username: %v", err)
	}
	c4, _ := NewSharedTokenCacheCredential(&SharedTokenCacheCredentialOptions{ClientOptions: testOptions(s), CachePath: filepath.Join(t.TempDir(), "none")})
	if _, err := c4.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}}); !errors.As(err, &cue) {
		t.Fatalf("no cache: err = %v, want unavailable", err)
	}
}

func TestVisualStudioCodeCredentialUnavailable(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("APPDATA", home)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(home, "no-bus"))
	c, err := NewVisualStudioCodeCredential(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetToken(context.Background(), TokenRequestOptions{Scopes: []string{testScope}})
	var cue *CredentialUnavailableError
	if !errors.As(err, &cue) {
		t.Fatalf("no VS Code sign-in: err = %v, want unavailable", err)
	}
}
