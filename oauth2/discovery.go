package oauth2

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
)

// trustedHosts are the authority hosts MSAL Go trusts without instance
// discovery (spec/PROTOCOL.md 1.1): the public, China, US Government and
// Germany clouds and the sovereign clouds it lists.
var trustedHosts = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.windows.net":                true,
	"login.microsoft.com":              true,
	"sts.windows.net":                  true,
	"login.chinacloudapi.cn":           true,
	"login.partner.microsoftonline.cn": true,
	"login.microsoftonline.us":         true,
	"login.usgovcloudapi.net":          true,
	"login-us.microsoftonline.com":     true,
	"login.microsoftonline.de":         true,
	"login.sovcloud-identity.fr":       true,
	"login.sovcloud-identity.de":       true,
	"login.sovcloud-identity.sg":       true,
}

// flight is one instance discovery in progress or done; done is closed when
// err is set.
type flight struct {
	done chan struct{}
	err  error
}

// discover validates the authority once per Client when InstanceDiscovery
// is on (spec/PROTOCOL.md 3, step 1): concurrent first callers share one
// request, a success is remembered for the life of the Client, and a failure
// is returned to those waiting and tried again by the next call. No lock is
// held during the request.
func (c *Client) discover(ctx context.Context, tenant string) error {
	if !c.InstanceDiscovery || isADFS(tenant) {
		// spec/PROTOCOL.md 3: "GO also disables instance discovery
		// automatically when the tenant is adfs".
		return nil
	}
	for {
		c.discoveryMu.Lock()
		f := c.discovery
		leader := f == nil
		if leader {
			f = &flight{done: make(chan struct{})}
			c.discovery = f
		}
		c.discoveryMu.Unlock()
		if leader {
			f.err = c.instanceDiscovery(ctx)
			if f.err != nil {
				c.discoveryMu.Lock()
				c.discovery = nil
				c.discoveryMu.Unlock()
			}
			close(f.done)
			return f.err
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return ctxError(ctx, &exchange{what: "instance discovery"}, ctx.Err())
		}
		// The leader's context ending is no answer for the others: one of
		// them asks again.
		if f.err == nil || !(errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) {
			return f.err
		}
	}
}

// instanceDiscovery asks the authority's own host whether it is a valid
// authority: GET https://{host}/common/discovery/instance?api-version=1.1&authorization_endpoint=https://{host}/{path}common/oauth2/v2.0/authorize
// (spec/PROTOCOL.md 3, MSAL Go's request; MSAL Go asks
// login.microsoftonline.com for hosts it does not trust, this never asks
// another host). The tenant in the authorization endpoint is "common": the
// check is of the host, and one answer serves every tenant.
func (c *Client) instanceDiscovery(ctx context.Context) error {
	prefix := c.authorityPrefix()
	u, err := url.Parse(prefix)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return invalid("authority must be an https URL with a host")
	}
	if trustedHosts[strings.ToLower(u.Hostname())] {
		return nil
	}
	q := url.Values{
		"api-version":            {"1.1"},
		"authorization_endpoint": {prefix + "common/oauth2/v2.0/authorize"},
	}
	x := &exchange{what: "instance discovery", method: "GET", url: "https://" + u.Host + "/common/discovery/instance?" + q.Encode()}
	a, err := c.do(ctx, x)
	if err != nil {
		return err
	}
	if a.resp.StatusCode != 200 {
		// An unknown host answers 400 invalid_instance (spec/PROTOCOL.md 3).
		return c.responseError(a, nil)
	}
	var r struct {
		TenantDiscoveryEndpoint string          `json:"tenant_discovery_endpoint"`
		Error                   json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(a.resp.Body, &r); err != nil {
		return c.finish(&Error{Malformed: "instance discovery response: " + describeJSONError(err)}, a)
	}
	if len(r.Error) > 0 && string(r.Error) != "null" {
		return c.responseError(a, nil)
	}
	if r.TenantDiscoveryEndpoint == "" {
		return c.finish(&Error{Malformed: "instance discovery response has no tenant_discovery_endpoint"}, a)
	}
	return nil
}
