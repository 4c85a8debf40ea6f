package identitytest

import (
	"strings"
	"testing"
	"time"
)

func startDeviceCode(t *testing.T, s *Server, tenant string) reply {
	t.Helper()
	r := post(t, s, "/"+tenant+"/oauth2/v2.0/devicecode", form("client_id", "cli", "scope", graphRead+" offline_access"))
	if r.status != 200 {
		t.Fatalf("devicecode: %d %s", r.status, r.raw)
	}
	return r
}

func poll(t *testing.T, s *Server, deviceCode string, grant string) reply {
	t.Helper()
	return post(t, s, "/organizations/oauth2/v2.0/token", form("grant_type", grant, "client_id", "cli", "device_code", deviceCode))
}

func TestDeviceCode(t *testing.T) {
	clock := &fixedClock{t: time.Unix(1_700_000_000, 0)}
	s := userServer(t, &Options{Now: clock.Now})
	r := startDeviceCode(t, s, "organizations")
	uc, dc := r.str("user_code"), r.str("device_code")
	if len(uc) != 9 || dc == "" || r.body["interval"] != float64(5) || r.body["expires_in"] != float64(900) ||
		r.str("verification_uri") != s.URL()+"/devicelogin" || !strings.Contains(r.str("message"), uc) {
		t.Fatalf("devicecode response %s", r.raw)
	}
	if got := s.PendingUserCodes(); len(got) != 1 || got[0] != uc {
		t.Errorf("PendingUserCodes %v", got)
	}
	p := poll(t, s, dc, grantDeviceCode)
	if p.status != 400 || p.str("error") != "authorization_pending" || p.code() != 70016 {
		t.Fatalf("pending: %d %s", p.status, p.raw)
	}
	if err := s.ApproveDeviceCode(uc, "nobody"); err == nil {
		t.Error("approved for an unknown user")
	}
	if err := s.ApproveDeviceCode(strings.ToLower(uc), "alice@contoso.com"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeclineDeviceCode(uc); err == nil {
		t.Error("declined an approved code")
	}
	p = poll(t, s, dc, grantDeviceCodeShort)
	if p.status != 200 || p.str("refresh_token") == "" {
		t.Fatalf("approved: %d %s", p.status, p.raw)
	}
	if c := tokenClaims(t, s, p.str("access_token")); c["upn"] != "alice@contoso.com" || c["tid"] != "contoso" {
		t.Errorf("claims %v", c)
	}
	if p = poll(t, s, dc, grantDeviceCode); p.status != 400 || p.str("error") != "invalid_grant" {
		t.Errorf("second redemption: %d %s", p.status, p.raw)
	}
	if len(s.PendingUserCodes()) != 0 {
		t.Error("approved code still pending")
	}

	// Declined.
	r = startDeviceCode(t, s, "organizations")
	if err := s.DeclineDeviceCode(r.str("user_code")); err != nil {
		t.Fatal(err)
	}
	if p = poll(t, s, r.str("device_code"), grantDeviceCode); p.status != 400 || p.str("error") != "authorization_declined" {
		t.Errorf("declined: %d %s", p.status, p.raw)
	}

	// Expired.
	r = startDeviceCode(t, s, "organizations")
	clock.Add(15 * time.Minute)
	if p = poll(t, s, r.str("device_code"), grantDeviceCode); p.status != 400 || p.str("error") != "expired_token" || p.code() != 70019 {
		t.Errorf("expired: %d %s", p.status, p.raw)
	}
	if err := s.ApproveDeviceCode(r.str("user_code"), "alice@contoso.com"); err == nil {
		t.Error("approved an expired code")
	}

	// Unknown.
	if p = poll(t, s, "nope", grantDeviceCode); p.status != 400 || p.str("error") != "bad_verification_code" {
		t.Errorf("unknown: %d %s", p.status, p.raw)
	}
	if err := s.ApproveDeviceCode("NOPE", "alice@contoso.com"); err == nil {
		t.Error("approved an unknown code")
	}
}

func TestDeviceCodeEndpointErrors(t *testing.T) {
	s := userServer(t, nil)
	tests := []struct {
		name string
		kv   []string
		err  string
		code int
	}{
		{"no client", []string{"scope", graphRead}, "invalid_request", 900144},
		{"unknown client", []string{"client_id", "ghost", "scope", graphRead}, "unauthorized_client", 700016},
		{"no scope", []string{"client_id", "cli"}, "invalid_request", 900144},
		{"two resources", []string{"client_id", "cli", "scope", graphRead + " " + vault}, "invalid_scope", 28000},
		{"bad claims", []string{"client_id", "cli", "scope", graphRead, "claims", "{"}, "invalid_request", 9002313},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, "/organizations/oauth2/v2.0/devicecode", form(tc.kv...))
			if r.status != 400 || r.str("error") != tc.err || r.code() != tc.code {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}
}

func TestDeviceCodeOptions(t *testing.T) {
	clock := &fixedClock{t: time.Unix(1_700_000_000, 0)}
	s := userServer(t, &Options{Now: clock.Now, DeviceCodeInterval: -1, DeviceCodeLifetime: time.Minute, DeviceCodeUser: "alice@contoso.com"})
	r := startDeviceCode(t, s, "common")
	if r.body["interval"] != float64(0) || r.body["expires_in"] != float64(60) {
		t.Fatalf("%s", r.raw)
	}
	if p := poll(t, s, r.str("device_code"), grantDeviceCode); p.status != 200 {
		t.Fatalf("auto-approved: %d %s", p.status, p.raw)
	}

	s2 := userServer(t, &Options{Now: clock.Now, SlowDown: true})
	r = startDeviceCode(t, s2, "organizations")
	dc := r.str("device_code")
	if p := poll(t, s2, dc, grantDeviceCode); p.str("error") != "authorization_pending" {
		t.Fatalf("first poll: %s", p.raw)
	}
	clock.Add(2 * time.Second)
	if p := poll(t, s2, dc, grantDeviceCode); p.str("error") != "slow_down" {
		t.Fatalf("fast poll: %s", p.raw)
	}
	// RFC 8628, Section 3.5: after slow_down the interval grows by 5 s for
	// this and every later poll: 5 s is too soon now, and then 15 s is due.
	clock.Add(5 * time.Second)
	if p := poll(t, s2, dc, grantDeviceCode); p.str("error") != "slow_down" {
		t.Fatalf("poll at the old interval after a slow_down: %s", p.raw)
	}
	clock.Add(15 * time.Second)
	if p := poll(t, s2, dc, grantDeviceCode); p.str("error") != "authorization_pending" {
		t.Fatalf("polite poll: %s", p.raw)
	}
}
