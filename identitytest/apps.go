package identitytest

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"strings"
)

// App is an application registration. A confidential client has a Secret,
// a Certificate or a Federated check (any combination); a public client sets
// Public and may have none.
type App struct {
	// ClientID is the application (client) id. Registering the same id again
	// replaces the earlier registration.
	ClientID string

	// Tenant is the app's home tenant. Requests to another specific tenant
	// fail with AADSTS700016; "" accepts every tenant (a multi-tenant app).
	Tenant string

	// Secret is the client secret, if the app has one.
	Secret string

	// Certificate is the registered certificate for client assertions
	// (RS256 or PS256; the x5t or x5t#S256 header must name it). It must
	// hold an RSA public key.
	Certificate *x509.Certificate

	// Federated, if set, accepts or refuses a client assertion that does not
	// name the certificate (workload identity, Azure Pipelines, GitHub
	// Actions tokens): return nil to accept. Its error text is not sent to
	// the client, which sees AADSTS70021 as from Entra ID. Called without
	// any lock held, possibly from several goroutines at once.
	Federated func(assertion string) error

	// Public marks a public client: it may redeem user grants
	// (authorization code, refresh token, device code, password) without
	// client authentication.
	Public bool

	// Roles are the app roles put in the "roles" claim of app-only tokens.
	Roles []string

	// ObjectID is the service principal's object id, the "oid" of app-only
	// tokens. "" derives a fixed one from ClientID.
	ObjectID string
}

// User is a user account for the user flows.
type User struct {
	// Username is the sign-in name (UPN), matched without regard to case.
	Username string
	// Password is what the password grant (ROPC) checks; "" refuses ROPC.
	Password string
	// ObjectID is the user's object id, the "oid" of user tokens. "" derives
	// a fixed one from Username.
	ObjectID string
	// Tenant is the user's home tenant, the "tid" of tokens requested
	// through /common or /organizations. "" means DefaultTenantID.
	Tenant string
}

// AddApp registers an application. It replaces an earlier registration with
// the same ClientID; it does not end tokens already issued to it.
func (s *Server) AddApp(a App) {
	if a.ObjectID == "" {
		a.ObjectID = derivedGUID("app\x00" + a.ClientID)
	}
	a.Roles = append([]string(nil), a.Roles...)
	s.mu.Lock()
	s.apps[a.ClientID] = a
	s.mu.Unlock()
}

// AddUser registers a user. It replaces an earlier user with the same
// Username (without regard to case).
func (s *Server) AddUser(u User) {
	if u.ObjectID == "" {
		u.ObjectID = derivedGUID("user\x00" + strings.ToLower(u.Username))
	}
	s.mu.Lock()
	s.users[strings.ToLower(u.Username)] = u
	s.mu.Unlock()
}

// app returns the registration of clientID.
func (s *Server) app(clientID string) (App, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[clientID]
	return a, ok
}

// user returns the user named username.
func (s *Server) user(username string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[strings.ToLower(username)]
	return u, ok
}

// confidential reports whether the app has any way to authenticate itself.
func (a *App) confidential() bool {
	return a.Secret != "" || a.Certificate != nil || a.Federated != nil
}

// derivedGUID is a fixed GUID-shaped id made from seed, so object ids are
// stable across runs (and Example output deterministic) without the caller
// having to invent them.
func derivedGUID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	h[6] = h[6]&0x0f | 0x40 // version 4 layout, RFC 9562 Section 5.4
	h[8] = h[8]&0x3f | 0x80 // variant 10
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
