package oauth2

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

const deviceBody = `{"user_code":"FGSQ7B3QK","device_code":"DAQABAAEAAAD--DLA3VO7QrddgJg7WevrExampleDeviceCode","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FGSQ7B3QK to authenticate."}`

func TestDeviceCode(t *testing.T) {
	f := newFakeEndpoint(t, reply{status: 200, body: deviceBody})
	c, _ := newTestClient(t, f)
	r := Request{Tenant: "organizations", ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", Scopes: []string{"https://management.azure.com/.default"}}
	d, err := c.DeviceCode(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	want := DeviceAuthorization{UserCode: "FGSQ7B3QK", DeviceCode: "DAQABAAEAAAD--DLA3VO7QrddgJg7WevrExampleDeviceCode",
		VerificationURI: "https://microsoft.com/devicelogin", ExpiresOn: t0.Add(900 * time.Second), Interval: 5 * time.Second,
		Message: "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FGSQ7B3QK to authenticate."}
	if d != want {
		t.Errorf("got  %+v\nwant %+v", d, want)
	}
	req := f.requests()[0]
	wantForm := url.Values{"client_id": {r.ClientID}, "scope": {"https://management.azure.com/.default openid offline_access profile"}}
	if req.path != "/organizations/oauth2/v2.0/devicecode" || !reflect.DeepEqual(req.form, wantForm) {
		t.Errorf("%s %v, want %v", req.path, req.form, wantForm)
	}
}

func TestParseDeviceCodeResponse(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    DeviceAuthorization
		wantErr string
	}{
		{name: "strings and v1 verification_url", body: `{"user_code":"U","device_code":"D","verification_url":"https://microsoft.com/devicelogin","expires_in":"900","interval":"7"}`,
			want: DeviceAuthorization{UserCode: "U", DeviceCode: "D", VerificationURI: "https://microsoft.com/devicelogin", ExpiresOn: t0.Add(15 * time.Minute), Interval: 7 * time.Second}},
		{name: "default interval", body: `{"user_code":"U","device_code":"D","verification_uri":"https://x/y","expires_in":60}`,
			want: DeviceAuthorization{UserCode: "U", DeviceCode: "D", VerificationURI: "https://x/y", ExpiresOn: t0.Add(time.Minute), Interval: 5 * time.Second}},
		{name: "message cleaned", body: `{"user_code":"U\u001b[2J","device_code":"D","verification_uri":"https://x/y","expires_in":60,"message":"hi\u0007"}`,
			want: DeviceAuthorization{UserCode: "U\uFFFD[2J", DeviceCode: "D", VerificationURI: "https://x/y", ExpiresOn: t0.Add(time.Minute), Interval: 5 * time.Second, Message: "hi\uFFFD"}},
		{name: "no device_code", body: `{"user_code":"U","verification_uri":"https://x","expires_in":60}`, wantErr: "no device_code"},
		{name: "no user_code", body: `{"device_code":"D","verification_uri":"https://x","expires_in":60}`, wantErr: "no user_code"},
		{name: "no uri", body: `{"device_code":"D","user_code":"U","expires_in":60}`, wantErr: "no verification_uri"},
		{name: "http uri", body: `{"device_code":"D","user_code":"U","verification_uri":"http://x","expires_in":60}`, wantErr: "not an https URL"},
		{name: "no expires_in", body: `{"device_code":"D","user_code":"U","verification_uri":"https://x"}`, wantErr: "no expires_in"},
		{name: "bad interval", body: `{"device_code":"D","user_code":"U","verification_uri":"https://x","expires_in":60,"interval":"soon"}`, wantErr: `interval "soon" is not a whole number`},
		{name: "zero interval", body: `{"device_code":"D","user_code":"U","verification_uri":"https://x","expires_in":60,"interval":0}`, wantErr: "interval 0 is not positive"},
		{name: "error body", body: `{"error":"invalid_client"}`, wantErr: "body is an error response"},
		{name: "not JSON", body: `<html>`, wantErr: "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDeviceCodeResponse([]byte(tt.body), t0, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || got != (DeviceAuthorization{}) {
					t.Fatalf("parse(%s) = %v, %v; want error %q", tt.body, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parse(%s)\n got %+v, %v\nwant %+v", tt.body, got, err, tt.want)
			}
		})
	}
}

func pending() reply {
	return reply{status: 400, body: `{"error":"authorization_pending","error_description":"AADSTS70016: OAuth 2.0 device flow error. Authorization is pending."}`}
}

func TestPollDeviceCode(t *testing.T) {
	r := Request{Tenant: "organizations", ClientID: "cid", Scopes: []string{"r"}}
	d := DeviceAuthorization{DeviceCode: "device-code-secret", UserCode: "U", ExpiresOn: t0.Add(60 * time.Second), Interval: 5 * time.Second}
	slowDown := reply{status: 400, body: `{"error":"slow_down"}`}
	tests := []struct {
		name      string
		d         DeviceAuthorization
		replies   []reply
		wantPolls int
		wantSleep []time.Duration
		wantCode  string // *Error code; "" means success unless wantErr
		wantErr   error
	}{
		{name: "pending then token", d: d, replies: []reply{pending(), pending(), ok()}, wantPolls: 3,
			wantSleep: []time.Duration{5 * time.Second, 5 * time.Second, 5 * time.Second}},
		{name: "slow_down adds 5 s for good", d: d, replies: []reply{slowDown, pending(), ok()}, wantPolls: 3,
			wantSleep: []time.Duration{5 * time.Second, 10 * time.Second, 10 * time.Second}},
		{name: "declined ends it", d: d, replies: []reply{pending(), {status: 400, body: `{"error":"authorization_declined"}`}}, wantPolls: 2,
			wantSleep: []time.Duration{5 * time.Second, 5 * time.Second}, wantCode: "authorization_declined"},
		{name: "expired_token ends it", d: d, replies: []reply{{status: 400, body: `{"error":"expired_token"}`}}, wantPolls: 1,
			wantSleep: []time.Duration{5 * time.Second}, wantCode: "expired_token"},
		{name: "bad_verification_code ends it", d: d, replies: []reply{{status: 400, body: `{"error":"bad_verification_code"}`}}, wantPolls: 1,
			wantSleep: []time.Duration{5 * time.Second}, wantCode: "bad_verification_code"},
		{name: "access_denied ends it", d: d, replies: []reply{{status: 400, body: `{"error":"access_denied"}`}}, wantPolls: 1,
			wantSleep: []time.Duration{5 * time.Second}, wantCode: "access_denied"},
		{name: "stops at expiry", d: DeviceAuthorization{DeviceCode: "dc", ExpiresOn: t0.Add(12 * time.Second), Interval: 5 * time.Second},
			replies: []reply{pending()}, wantPolls: 2, wantErr: ErrDeviceCodeExpired,
			wantSleep: []time.Duration{5 * time.Second, 5 * time.Second, 2 * time.Second}},
		{name: "zero interval means 5 s", d: DeviceAuthorization{DeviceCode: "dc", ExpiresOn: t0.Add(time.Minute)},
			replies: []reply{ok()}, wantPolls: 1, wantSleep: []time.Duration{5 * time.Second}},
		{name: "tiny interval raised to 1 s", d: DeviceAuthorization{DeviceCode: "dc", ExpiresOn: t0.Add(time.Minute), Interval: time.Millisecond},
			replies: []reply{ok()}, wantPolls: 1, wantSleep: []time.Duration{time.Second}},
		{name: "already expired", d: DeviceAuthorization{DeviceCode: "dc", ExpiresOn: t0.Add(-time.Second)},
			replies: []reply{ok()}, wantPolls: 0, wantErr: ErrDeviceCodeExpired},
		{name: "no device code", d: DeviceAuthorization{ExpiresOn: t0.Add(time.Minute)}, wantErr: ErrInvalidRequest},
		{name: "no expiry", d: DeviceAuthorization{DeviceCode: "dc"}, wantErr: ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEndpoint(t, tt.replies...)
			c, clock := newTestClient(t, f)
			tok, err := c.PollDeviceCode(context.Background(), r, tt.d)
			var e *Error
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
			case tt.wantCode != "":
				if !errors.As(err, &e) || e.Code != tt.wantCode {
					t.Errorf("err = %v, want code %s", err, tt.wantCode)
				}
			case err != nil || tok.AccessToken == "":
				t.Errorf("tok %v, err %v", tok, err)
			}
			reqs := f.requests()
			if len(reqs) != tt.wantPolls {
				t.Errorf("%d polls, want %d", len(reqs), tt.wantPolls)
			}
			for _, q := range reqs {
				want := url.Values{"client_id": {"cid"}, "grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
					"device_code": {tt.d.DeviceCode}, "scope": {"r openid offline_access profile"}, "client_info": {"1"}}
				if !reflect.DeepEqual(q.form, want) || q.path != "/organizations/oauth2/v2.0/token" {
					t.Errorf("poll %s %v, want %v", q.path, q.form, want)
				}
			}
			if got := clock.slept(); !reflect.DeepEqual(got, tt.wantSleep) {
				t.Errorf("slept %v, want %v", got, tt.wantSleep)
			}
		})
	}
}

func TestPollDeviceCodeCancel(t *testing.T) {
	f := newFakeEndpoint(t, pending())
	c, _ := newTestClient(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	polls := 0
	c.sleep = func(ctx context.Context, d time.Duration) error {
		polls++
		if polls == 3 {
			cancel()
		}
		return ctx.Err()
	}
	d := DeviceAuthorization{DeviceCode: "dc", ExpiresOn: t0.Add(time.Hour)}
	_, err := c.PollDeviceCode(ctx, Request{Tenant: "t", ClientID: "c", Scopes: []string{"r"}}, d)
	if !errors.Is(err, context.Canceled) || len(f.requests()) != 2 {
		t.Fatalf("err = %v after %d polls", err, len(f.requests()))
	}
}

func TestDeviceCodeErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		rep  reply
		want string
	}{
		{"error status", reply{status: 400, body: `{"error":"invalid_scope"}`}, "400 invalid_scope"},
		{"error on 200", reply{status: 200, body: `{"error":"invalid_client"}`}, "200 invalid_client"},
		{"malformed", reply{status: 200, body: `{"device_code":"D"}`}, "device authorization response: no user_code"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEndpoint(t, tt.rep)
			c, _ := newTestClient(t, f)
			_, err := c.DeviceCode(context.Background(), Request{Tenant: "t", ClientID: "c", Scopes: []string{"r"}})
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
