package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/azid-go/azid/cache"
	"github.com/azid-go/azid/oauth2"
)

// Defaults of the user credentials (PROTOCOL.md 2.9, 16).
const (
	// developerSignOnClientID is the Azure CLI's public client, the default
	// client of DeviceCodeCredential and the shared token cache.
	developerSignOnClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	// organizationsTenant accepts work and school accounts of any tenant.
	organizationsTenant = "organizations"
	// authenticateScope is what Authenticate asks for when the caller names
	// no scope: Azure Resource Manager, as azidentity does.
	authenticateScope = "https://management.core.windows.net//.default"
)

// DeviceCodeCredential signs a user in with the device authorization grant
// (RFC 8628): it shows a code and a URL, the user enters the code on any
// device with a browser, and the credential polls until they have. Later
// requests are silent, through the refresh token. It is safe for concurrent
// use.
type DeviceCodeCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	s        userSession
	prompt   func(context.Context, DeviceCodeMessage) error
	stderr   io.Writer
}

// DeviceCodeCredentialOptions configures a DeviceCodeCredential. nil means
// defaults.
type DeviceCodeCredentialOptions struct {
	ClientOptions
	// TenantID: "" means "organizations" (any work or school account).
	TenantID string
	// ClientID: "" means the Azure CLI's public client
	// 04b07795-8ddb-461a-bbee-02f9e1bf7b46.
	ClientID string
	// UserPrompt shows the sign-in message. nil: it is written to stderr.
	UserPrompt func(context.Context, DeviceCodeMessage) error
	// AuthenticationRecord, from an earlier Authenticate, names the account
	// whose tokens a persisted cache (ClientOptions.Cache with a Store) holds,
	// so this credential can stay silent. Zero: none.
	AuthenticationRecord AuthenticationRecord
}

// DeviceCodeMessage is what the user must see to sign in.
type DeviceCodeMessage struct {
	UserCode        string    // the code to enter
	VerificationURL string    // where to enter it
	Message         string    // the service's instructions, ready to show
	ExpiresOn       time.Time // when the code stops working
}

// AuthenticationRecord names a signed-in account without any secret, for a
// later credential to stay silent with a persisted cache. Its JSON form
// carries a version.
type AuthenticationRecord struct {
	Authority     string `json:"authority"`
	ClientID      string `json:"clientId"`
	HomeAccountID string `json:"homeAccountId"`
	TenantID      string `json:"tenantId"`
	Username      string `json:"username"`
	Version       string `json:"version"`
}

// authenticationRecordVersion is the version written by Authenticate.
const authenticationRecordVersion = "1.0"

// UnmarshalJSON reads a record and refuses an unknown version.
func (r *AuthenticationRecord) UnmarshalJSON(b []byte) error {
	type plain AuthenticationRecord
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Version != authenticationRecordVersion {
		return fmt.Errorf("identity: AuthenticationRecord version %q; this library reads %q", p.Version, authenticationRecordVersion)
	}
	*r = AuthenticationRecord(p)
	return nil
}

// NewDeviceCodeCredential returns a device code credential.
func NewDeviceCodeCredential(o *DeviceCodeCredentialOptions) (*DeviceCodeCredential, error) {
	const name = "DeviceCodeCredential"
	if o == nil {
		o = &DeviceCodeCredentialOptions{}
	}
	tenant, clientID := o.TenantID, o.ClientID
	if tenant == "" {
		tenant = organizationsTenant
	}
	if clientID == "" {
		clientID = developerSignOnClientID
	}
	ep, err := newTokenEndpoint(name, tenant, clientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	c := &DeviceCodeCredential{prompt: o.UserPrompt, stderr: os.Stderr}
	c.s = newUserSession(ep, oauth2.Auth{})
	if r := o.AuthenticationRecord; r.HomeAccountID != "" {
		if r.ClientID != clientID {
			return nil, inputError(name, ErrInvalidArgument, "the AuthenticationRecord is for client %q, not %q", r.ClientID, clientID)
		}
		c.s.acct.set(r.HomeAccountID, r.Username, r.TenantID)
	}
	return c, nil
}

// GetToken returns an access token for opts.Scopes: from the cache, else by
// the refresh token, else by asking the user to sign in.
func (c *DeviceCodeCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.s.getToken(ctx, opts, c)
}

// Authenticate asks the user to sign in (always), and returns the record of
// the account, which a later credential can take to stay silent. opts nil
// asks for Azure Resource Manager.
func (c *DeviceCodeCredential) Authenticate(ctx context.Context, opts *TokenRequestOptions) (AuthenticationRecord, error) {
	o := TokenRequestOptions{Scopes: []string{authenticateScope}}
	if opts != nil {
		o = *opts
	}
	var key cache.Key
	if err := c.s.ep.key(&key, &o, ""); err != nil {
		return AuthenticationRecord{}, err
	}
	tok, err := c.grant(ctx, c.s.ep.request(key.Tenant, o))
	if err != nil {
		return AuthenticationRecord{}, authFailed(c.s.ep.name, err)
	}
	if h, _ := accountOf(tok); h == "" {
		return AuthenticationRecord{}, authFailed(c.s.ep.name, errors.New("the service returned no client_info, so the account cannot be recorded"))
	}
	c.s.keep(c.s.ep.request(key.Tenant, o), tok, c.s.pending)
	st := c.s.acct.get()
	id, username, tenant := st.id, st.username, st.tenant
	if id == "" {
		return AuthenticationRecord{}, authFailed(c.s.ep.name, errors.New("the service returned no client_info, so the account cannot be recorded"))
	}
	return AuthenticationRecord{
		Authority:     c.s.ep.authority,
		ClientID:      c.s.ep.clientID,
		HomeAccountID: id,
		TenantID:      tenant,
		Username:      username,
		Version:       authenticationRecordVersion,
	}, nil
}

// grant runs RFC 8628: the device authorization request (Section 3.1),
// the prompt, then polling the token endpoint (Section 3.4) until the user
// signs in, declines, the code expires or ctx ends.
func (c *DeviceCodeCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	d, err := c.s.ep.client.DeviceCode(ctx, req)
	if err != nil {
		return oauth2.Token{}, err
	}
	msg := DeviceCodeMessage{UserCode: d.UserCode, VerificationURL: d.VerificationURI, Message: d.Message, ExpiresOn: d.ExpiresOn}
	if err := c.show(ctx, msg); err != nil {
		return oauth2.Token{}, fmt.Errorf("the UserPrompt callback failed: %w", err)
	}
	return c.s.ep.client.PollDeviceCode(ctx, req, d)
}

func (c *DeviceCodeCredential) show(ctx context.Context, m DeviceCodeMessage) (err error) {
	if c.prompt != nil {
		defer recoverCallback(&err, "UserPrompt")
		return c.prompt(ctx, m)
	}
	text := m.Message
	if text == "" {
		text = fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", m.VerificationURL, m.UserCode)
	}
	_, err = fmt.Fprintln(c.stderr, text)
	return err
}
