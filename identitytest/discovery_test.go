package identitytest

import (
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"testing"
)

func get(t *testing.T, s *Server, path string) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	return do(t, s, req)
}

func TestInstanceDiscovery(t *testing.T) {
	s := newServer(t, nil)
	r := get(t, s, "/common/discovery/instance?api-version=1.1&authorization_endpoint="+
		url.QueryEscape(s.Authority()+"contoso/oauth2/v2.0/authorize"))
	if r.status != 200 || r.str("tenant_discovery_endpoint") != s.URL()+"/contoso/v2.0/.well-known/openid-configuration" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	md, _ := r.body["metadata"].([]any)
	if len(md) != 1 {
		t.Fatalf("metadata %v", r.body["metadata"])
	}
	aliases, _ := md[0].(map[string]any)["aliases"].([]any)
	if len(aliases) != 1 || aliases[0] != s.Host() {
		t.Errorf("aliases %v", aliases)
	}
	r = get(t, s, "/common/discovery/instance?api-version=1.1&authorization_endpoint="+
		url.QueryEscape("https://login.example.com/contoso/oauth2/v2.0/authorize"))
	if r.status != 400 || r.str("error") != "invalid_instance" || r.code() != 50049 {
		t.Fatalf("other host: %d %s", r.status, r.raw)
	}
}

func TestOpenIDConfigurationAndKeys(t *testing.T) {
	s := newServer(t, nil)
	r := get(t, s, "/contoso/v2.0/.well-known/openid-configuration")
	if r.status != 200 || r.str("token_endpoint") != s.TokenURL("contoso") || r.str("issuer") != s.URL()+"/contoso/v2.0" ||
		r.str("device_authorization_endpoint") != s.URL()+"/contoso/oauth2/v2.0/devicecode" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	if r := get(t, s, "/organizations/v2.0/.well-known/openid-configuration"); r.str("issuer") != s.URL()+"/{tenantid}/v2.0" {
		t.Errorf("organizations issuer %s", r.str("issuer"))
	}
	if r := get(t, s, "/adfs/.well-known/openid-configuration"); r.str("token_endpoint") != s.URL()+"/adfs/oauth2/token/" {
		t.Errorf("adfs %s", r.raw)
	}
	keys := get(t, s, "/contoso/discovery/v2.0/keys")
	list, _ := keys.body["keys"].([]any)
	if len(list) != 1 {
		t.Fatalf("keys %s", keys.raw)
	}
	k := list[0].(map[string]any)
	n, err1 := base64.RawURLEncoding.DecodeString(k["n"].(string))
	e, err2 := base64.RawURLEncoding.DecodeString(k["e"].(string))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if !pub.Equal(s.SigningKey()) {
		t.Error("JWKS key is not the signing key")
	}
	if r := get(t, s, "/nowhere"); r.status != 404 {
		t.Errorf("unknown path: %d", r.status)
	}
}
