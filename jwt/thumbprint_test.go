package jwt

import (
	"encoding/base64"
	"testing"
)

func TestThumbprints(t *testing.T) {
	cert, _ := fixture(t)
	// Expected values: the "rsa2048-cert-pkcs8key.pem" entry of
	// shared/testdata/certs/manifest.json (leaf.x5t and leaf["x5t#S256"];
	// sha1_thumbprint 6ebc8adee29f7ebceab6c8de5fc7579aad760027,
	// sha256_thumbprint 4fb655e8...3ee0).
	tests := []struct {
		name string
		fn   func([]byte) string
		in   []byte
		want string
	}{
		{"x5t fixture", X5t, cert, "bryK3uKffrzqtsjeX8dXmq12ACc"},
		{"x5t#S256 fixture", X5tS256, cert, "T7ZV6JVHHtKUBsjAWOm1pS6m2LiOuTqmMK3tLjCbPuA"},
		// SHA-1("") = da39a3ee..., SHA-256("") = e3b0c442... (FIPS 180-4 examples).
		{"x5t empty", X5t, nil, "2jmj7l5rSw0yVb_vlWAYkK_YBwk"},
		{"x5t#S256 empty", X5tS256, nil, "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.fn(tc.in)
			if got != tc.want {
				t.Errorf("got %s; want %s", got, tc.want)
			}
			// RFC 7515, Sections 4.1.7 and 4.1.8: base64url without padding.
			if _, err := base64.RawURLEncoding.Strict().DecodeString(got); err != nil {
				t.Errorf("%s is not unpadded base64url: %v", got, err)
			}
		})
	}
}
