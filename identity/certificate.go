package identity

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"time"

	"github.com/azid-go/azid/internal/certs"
	"github.com/azid-go/azid/jwt"
	"github.com/azid-go/azid/oauth2"
)

// ClientCertificateCredential authenticates a service principal with a
// certificate: every token request carries a client assertion (RFC 7523,
// Section 2.2) signed RS256 with the certificate's RSA key, with the x5t and
// x5t#S256 thumbprint headers and, when asked, the x5c chain. It is safe for
// concurrent use.
type ClientCertificateCredential struct {
	redacted // fmt and slog print no field: some hold secrets
	ep       *tokenEndpoint
	signer   certSigner
}

// ClientCertificateCredentialOptions configures a
// ClientCertificateCredential. nil means defaults.
type ClientCertificateCredentialOptions struct {
	ClientOptions
	// SendCertificateChain adds the x5c header with every certificate given,
	// signing certificate first, for subject name and issuer (SNI)
	// authentication. false: only the thumbprints are sent.
	SendCertificateChain bool
}

// NewClientCertificateCredential returns a credential for clientID in
// tenantID. certs must hold the certificate whose public key matches key
// (it is moved first); key must be an *rsa.PrivateKey of at least 2048 bits.
// ParseCertificates reads both from PEM or PKCS#12 data.
func NewClientCertificateCredential(tenantID, clientID string, certs []*x509.Certificate, key crypto.PrivateKey, o *ClientCertificateCredentialOptions) (*ClientCertificateCredential, error) {
	const name = "ClientCertificateCredential"
	if o == nil {
		o = &ClientCertificateCredentialOptions{}
	}
	if tenantID == "" {
		return nil, inputError(name, ErrInvalidTenantID, "the tenant ID is empty")
	}
	signer, err := newCertSigner(name, certs, key, o.SendCertificateChain)
	if err != nil {
		return nil, err
	}
	ep, err := newTokenEndpoint(name, tenantID, clientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	return &ClientCertificateCredential{ep: ep, signer: signer}, nil
}

// GetToken returns an access token for opts.Scopes.
func (c *ClientCertificateCredential) GetToken(ctx context.Context, opts TokenRequestOptions) (AccessToken, error) {
	return c.ep.getToken(ctx, opts, "", c)
}

func (c *ClientCertificateCredential) grant(ctx context.Context, req oauth2.Request) (oauth2.Token, error) {
	req.Auth = oauth2.Auth{Assertion: c.signer.assertion(c.ep.clientID)}
	return c.ep.client.ClientCredentials(ctx, req)
}

// certSigner signs client assertions with a certificate's key; the
// certificate and on-behalf-of credentials share it.
type certSigner struct {
	signer *jwt.AssertionSigner
	now    func() time.Time
}

func newCertSigner(cred string, chain []*x509.Certificate, key crypto.PrivateKey, sendChain bool) (certSigner, error) {
	if len(chain) == 0 {
		return certSigner{}, inputError(cred, ErrInvalidArgument, "no certificate given")
	}
	if key == nil {
		return certSigner{}, inputError(cred, ErrInvalidArgument, "no private key given")
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return certSigner{}, inputError(cred, ErrInvalidArgument, "the private key is %T; Entra client assertions here need an RSA key", key)
	}
	if rk == nil || rk.N == nil {
		return certSigner{}, inputError(cred, ErrInvalidArgument, "the RSA private key is empty")
	}
	for i, c := range chain {
		if c == nil {
			return certSigner{}, inputError(cred, ErrInvalidArgument, "certificate %d of %d is nil", i+1, len(chain))
		}
	}
	if rk.N.BitLen() < 2048 {
		return certSigner{}, inputError(cred, ErrInvalidArgument, "the RSA key is %d bits; need at least 2048", rk.N.BitLen())
	}
	// The signing certificate goes first (x5t is its thumbprint; RFC 7515,
	// Section 4.1.6: "The certificate containing the key ... MUST be the first");
	// the others keep their order.
	signing := -1
	for i, c := range chain {
		if pub, ok := c.PublicKey.(*rsa.PublicKey); ok && pub.Equal(&rk.PublicKey) {
			signing = i
			break
		}
	}
	if signing < 0 {
		return certSigner{}, inputError(cred, ErrInvalidArgument, "the private key matches none of the %d certificates", len(chain))
	}
	ders := make([][]byte, 0, len(chain))
	ders = append(ders, chain[signing].Raw)
	for i, c := range chain {
		if i != signing {
			ders = append(ders, c.Raw)
		}
	}
	signer, err := jwt.NewAssertionSigner(jwt.RS256, rk, ders, sendChain)
	if err != nil {
		return certSigner{}, inputError(cred, ErrInvalidArgument, "%v", err)
	}
	return certSigner{signer: signer, now: time.Now}, nil
}

// assertion returns the oauth2 assertion callback for clientID: a fresh
// assertion per request, its audience the token URL being called (PROTOCOL
// 4.2: "aud ... must equal the token endpoint URL being called").
func (s certSigner) assertion(clientID string) func(context.Context, string) (string, error) {
	return func(_ context.Context, audience string) (string, error) {
		return s.signer.Sign(clientID, audience, s.now(), assertionLifetime)
	}
}

// Errors from ParseCertificates, for errors.Is. Each message says what to do.
var (
	// ErrNoPrivateKey: the data holds no private key.
	ErrNoPrivateKey = certs.ErrNoPrivateKey
	// ErrNoCertificate: the data holds no certificate.
	ErrNoCertificate = certs.ErrNoCertificate
	// ErrKeyMismatch: the private key matches none of the certificates.
	ErrKeyMismatch = certs.ErrKeyMismatch
	// ErrUnsupportedKey: the key is not RSA (client assertions are RS256).
	ErrUnsupportedKey = certs.ErrUnsupportedKey
	// ErrIncorrectPassword: the password is wrong or the file is corrupted.
	ErrIncorrectPassword = certs.ErrIncorrectPassword
	// ErrUnsupportedAlgorithm: an encryption or MAC algorithm azid does not
	// implement; the error names its OID.
	ErrUnsupportedAlgorithm = certs.ErrUnsupportedAlgorithm
	// ErrMultipleKeys: the data holds more than one private key.
	ErrMultipleKeys = certs.ErrMultipleKeys
	// ErrCertificateLimit: the data exceeds a bound (size, iterations, count).
	ErrCertificateLimit = certs.ErrLimit
)

// ParseCertificates reads certificates and one private key from PEM or
// PKCS#12 data, decrypting with password where the data is encrypted. The
// certificate whose public key matches the key comes first; the rest follow
// in file order. PEM may hold CERTIFICATE, PRIVATE KEY, RSA PRIVATE KEY and
// ENCRYPTED PRIVATE KEY blocks in any order; PKCS#12 may use any of the
// encryption and MAC schemes OpenSSL, Windows, Java and Key Vault write
// (PBES2 with AES or 3DES, the legacy PKCS#12 3DES and RC2 schemes). Errors
// match the sentinels above and never contain the password or key material.
func ParseCertificates(data, password []byte) ([]*x509.Certificate, crypto.PrivateKey, error) {
	c, k, err := certs.Parse(data, password)
	if err != nil {
		return nil, nil, err
	}
	return c, k, nil
}
