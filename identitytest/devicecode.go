package identitytest

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// deviceRec is a device code (RFC 8628) and where its sign-in stands.
type deviceRec struct {
	clientID   string
	scopes     []string
	userCode   string
	expires    time.Time
	lastPoll   time.Time
	slowDowns  int // slow_down answers sent: each adds 5 s to the interval the client owes
	state      deviceState
	username   string // set when approved
	deviceCode string
}

type deviceState int

const (
	devicePending deviceState = iota
	deviceApproved
	deviceDeclined
	deviceRedeemed
)

// deviceCode serves "/{tenant}/oauth2/v2.0/devicecode", the device
// authorization endpoint (RFC 8628, Section 3.1; PROTOCOL 2.9).
func (s *Server) deviceCode(w http.ResponseWriter, r *http.Request, form url.Values, tenant string) {
	fail := func(e *oauthError) { s.writeError(w, r, e, false) }
	if r.Method != http.MethodPost {
		fail(errorf(http.StatusBadRequest, "invalid_request", codeOnlyPost,
			"The endpoint only accepts POST, OPTIONS requests. Received a %s request.", r.Method))
		return
	}
	if e := checkRepeated(form); e != nil {
		fail(e)
		return
	}
	clientID := form.Get("client_id")
	if clientID == "" {
		fail(missingParameter("client_id"))
		return
	}
	app, ok := s.app(clientID)
	if !ok {
		fail(errorf(http.StatusBadRequest, "unauthorized_client", codeAppNotFound,
			"Application with identifier %s was not found in the directory %s.", quoted(clientID), quoted(tenant)))
		return
	}
	scopes := splitScopes(form.Get("scope"))
	if len(scopes) == 0 {
		fail(missingParameter("scope"))
		return
	}
	if _, e := parseScopes(scopes, false); e != nil {
		fail(e)
		return
	}
	if raw := form.Get("claims"); raw != "" {
		if _, e := parseClaims(raw); e != nil {
			fail(e)
			return
		}
	}
	now := s.now()
	rec := &deviceRec{
		clientID:   app.ClientID,
		scopes:     scopes,
		expires:    now.Add(s.opts.DeviceCodeLifetime),
		deviceCode: randomToken(48),
	}
	s.mu.Lock()
	for rec.userCode == "" || s.userCodes[rec.userCode] != nil {
		rec.userCode = newUserCode()
	}
	if s.opts.DeviceCodeUser != "" {
		rec.state, rec.username = deviceApproved, s.opts.DeviceCodeUser
	}
	s.devices[rec.deviceCode] = rec
	s.userCodes[rec.userCode] = rec
	s.mu.Unlock()

	verify := s.ts.URL + "/devicelogin"
	writeJSON(w, http.StatusOK, map[string]any{
		"user_code":        rec.userCode,
		"device_code":      rec.deviceCode,
		"verification_uri": verify,
		"expires_in":       int64(s.opts.DeviceCodeLifetime.Seconds()),
		"interval":         int64(s.opts.DeviceCodeInterval.Seconds()),
		"message": fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.",
			verify, rec.userCode),
	})
}

// userCodeAlphabet leaves out letters and digits people confuse (RFC 8628,
// Section 6.1 recommends a short, case-insensitive, unambiguous code).
const userCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newUserCode returns a random 9-character user code, the length Entra ID
// uses.
func newUserCode() string {
	var b [9]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	for i := range b {
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
	}
	return string(b[:])
}

// ApproveDeviceCode completes the sign-in for userCode as username, as if
// the user had entered the code at the verification page. The client's next
// poll gets the tokens.
func (s *Server) ApproveDeviceCode(userCode, username string) error {
	if _, ok := s.user(username); !ok {
		return fmt.Errorf("identitytest: no user %q; register it with AddUser", username)
	}
	return s.decideDeviceCode(userCode, deviceApproved, username)
}

// DeclineDeviceCode refuses the sign-in for userCode, as a user who cancels
// at the verification page. The client's next poll gets
// authorization_declined.
func (s *Server) DeclineDeviceCode(userCode string) error {
	return s.decideDeviceCode(userCode, deviceDeclined, "")
}

// PendingUserCodes returns the user codes still waiting for approval,
// oldest first, for tests that do not see the client's prompt.
func (s *Server) PendingUserCodes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var recs []*deviceRec
	for _, rec := range s.userCodes {
		if rec.state == devicePending && now.Before(rec.expires) {
			recs = append(recs, rec)
		}
	}
	// Sort by expiry, which follows issue order (one lifetime for all).
	for i := 1; i < len(recs); i++ {
		for j := i; j > 0 && recs[j].expires.Before(recs[j-1].expires); j-- {
			recs[j], recs[j-1] = recs[j-1], recs[j]
		}
	}
	out := make([]string, len(recs))
	for i, rec := range recs {
		out[i] = rec.userCode
	}
	return out
}

func (s *Server) decideDeviceCode(userCode string, state deviceState, username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.userCodes[strings.ToUpper(strings.TrimSpace(userCode))]
	switch {
	case !ok:
		return fmt.Errorf("identitytest: no device code with user code %q", userCode)
	case !s.now().Before(rec.expires):
		return fmt.Errorf("identitytest: user code %q has expired", userCode)
	case rec.state != devicePending:
		return fmt.Errorf("identitytest: user code %q was already approved or declined", userCode)
	}
	rec.state, rec.username = state, username
	return nil
}

// deviceCodeToken is the device access token request (RFC 8628, Sections
// 3.4 and 3.5).
func (s *Server) deviceCodeToken(tr *tokenRequest) (map[string]any, *oauthError) {
	app, e := s.authenticate(tr, true)
	if e != nil {
		return nil, e
	}
	dc := tr.form.Get("device_code")
	if dc == "" {
		return nil, missingParameter("device_code")
	}
	s.mu.Lock()
	rec, ok := s.devices[dc]
	var snap deviceRec
	var tooFast bool
	if ok {
		// RFC 8628, Section 3.5: after slow_down "the interval MUST be
		// increased by 5 seconds for this and all subsequent requests".
		interval := s.opts.DeviceCodeInterval + time.Duration(rec.slowDowns)*5*time.Second
		tooFast = s.opts.SlowDown && !rec.lastPoll.IsZero() && tr.now.Sub(rec.lastPoll) < interval
		if tooFast {
			rec.slowDowns++
		}
		rec.lastPoll = tr.now
		snap = *rec
		if rec.clientID == app.ClientID && rec.state == deviceApproved && tr.now.Before(rec.expires) && !tooFast {
			rec.state = deviceRedeemed
		}
	}
	s.mu.Unlock()
	// RFC 8628, Section 3.5 names the error codes used below.
	switch {
	case !ok:
		return nil, errorf(http.StatusBadRequest, "bad_verification_code", codeInvalidGrant,
			"Provided grant is invalid or malformed: the device code is not one this server issued.")
	case snap.clientID != app.ClientID:
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeInvalidGrant,
			"Provided grant is invalid or malformed: the device code was issued to a different client.")
	case !tr.now.Before(snap.expires):
		return nil, errorf(http.StatusBadRequest, "expired_token", codeDeviceCodeExpired,
			"Verification code expired.")
	case tooFast:
		// "slow_down: A variant of "authorization_pending", the
		// authorization request is still pending and polling should
		// continue, but the interval MUST be increased by 5 seconds".
		return nil, errorf(http.StatusBadRequest, "slow_down", codeAuthorizationPending,
			"OAuth 2.0 device flow error. Authorization is pending. Poll no faster than every %d seconds.", int64(s.opts.DeviceCodeInterval.Seconds())+5*int64(snap.slowDowns))
	case snap.state == devicePending:
		return nil, errorf(http.StatusBadRequest, "authorization_pending", codeAuthorizationPending,
			"OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
	case snap.state == deviceDeclined:
		return nil, errorf(http.StatusBadRequest, "authorization_declined", codeInvalidGrant,
			"The end user declined the authorization request.")
	case snap.state == deviceRedeemed:
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeCodeRedeemed,
			"The provided device code was already redeemed.")
	}
	u, ok := s.user(snap.username)
	if !ok {
		return nil, errorf(http.StatusBadRequest, "invalid_grant", codeUserNotFound,
			"User account %s does not exist in the directory.", quoted(snap.username))
	}
	scopes := splitScopes(tr.form.Get("scope"))
	if len(scopes) == 0 {
		scopes = snap.scopes
	}
	rr, e := parseScopes(scopes, false)
	if e != nil {
		return nil, e
	}
	return s.issue(tr, tr.userGrantee(app, u), rr)
}
