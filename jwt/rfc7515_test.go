package jwt

import (
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
)

// The RFC 7515 Appendix A.2 vector ("Example JWS Using RSASSA-PKCS1-v1_5
// SHA-256"), https://www.rfc-editor.org/rfc/rfc7515#appendix-A.2. The key is
// the JWK of Appendix A.2.1; the header and payload are the exact octets of
// A.2.1 and A.1.1 (the payload has CR LF line breaks); the token is A.2.1's
// Compact Serialization. The values were copied from the RFC's text as
// reproduced in several independent test suites and are cross-checked below
// (n = p*q, the JWK's dp, dq, qi match the ones computed from p and q).
var (
	rfcA2Header  = []byte(`{"alg":"RS256"}`)
	rfcA2Payload = []byte("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}")
	rfcA2Token   = "eyJhbGciOiJSUzI1NiJ9" +
		".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt" +
		"cGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
		".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7" +
		"AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4" +
		"BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K" +
		"0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv" +
		"hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB" +
		"p0igcN_IoypGlUPQGe77Rw"
	rfcA2JWK = map[string]string{
		"n": "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx" +
			"HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs" +
			"D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH" +
			"SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV" +
			"MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8" +
			"NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
		"e": "AQAB",
		"d": "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97I" +
			"jlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0" +
			"BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn" +
			"439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYT" +
			"CBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLh" +
			"BOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
		"p": "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdi" +
			"YrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPG" +
			"BY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
		"q": "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxa" +
			"ewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA" +
			"-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
		"dp": "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3Q" +
			"CLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb" +
			"34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0",
		"dq": "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa" +
			"7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-ky" +
			"NlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU",
		"qi": "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2o" +
			"y26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLU" +
			"W0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U",
	}
)

// jwkInt decodes one base64url JWK member as a big-endian unsigned integer
// (RFC 7518, Section 6.3: Base64urlUInt).
func jwkInt(t testing.TB, name string) *big.Int {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(rfcA2JWK[name])
	if err != nil {
		t.Fatalf("JWK member %s: %v", name, err)
	}
	return new(big.Int).SetBytes(b)
}

// rfcA2Key builds the RSA key of RFC 7515 Appendix A.2.1 and checks it.
func rfcA2Key(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	key := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: jwkInt(t, "n"), E: int(jwkInt(t, "e").Int64())},
		D:         jwkInt(t, "d"),
		Primes:    []*big.Int{jwkInt(t, "p"), jwkInt(t, "q")},
	}
	if err := key.Validate(); err != nil {
		t.Fatalf("RFC 7515 A.2 key does not validate: %v", err)
	}
	key.Precompute()
	for _, c := range []struct {
		name      string
		got, want *big.Int
	}{
		{"n = p*q", new(big.Int).Mul(key.Primes[0], key.Primes[1]), key.N},
		{"dp", key.Precomputed.Dp, jwkInt(t, "dp")},
		{"dq", key.Precomputed.Dq, jwkInt(t, "dq")},
		{"qi", key.Precomputed.Qinv, jwkInt(t, "qi")},
	} {
		if c.got == nil || c.got.Cmp(c.want) != 0 {
			t.Fatalf("RFC 7515 A.2 key: %s does not match the JWK", c.name)
		}
	}
	return key
}

func TestRFC7515A2Sign(t *testing.T) {
	key := rfcA2Key(t)
	if bits := key.N.BitLen(); bits != 2048 {
		t.Fatalf("A.2 key is %d bits; want 2048", bits)
	}
	got, err := SignRaw(rfcA2Header, rfcA2Payload, key)
	if err != nil {
		t.Fatalf("SignRaw: %v", err)
	}
	if got != rfcA2Token {
		t.Fatalf("SignRaw(A.2 header, A.2 payload)\n got %s\nwant %s", got, rfcA2Token)
	}
}

func TestRFC7515A2Verify(t *testing.T) {
	key := rfcA2Key(t)
	h, payload, err := Verify(rfcA2Token, &key.PublicKey)
	if err != nil {
		t.Fatalf("Verify(A.2 token): %v", err)
	}
	if h.Alg != RS256 || h.Typ != "" || h.Kid != "" || h.X5t != "" || h.X5tS256 != "" || h.X5c != nil {
		t.Errorf("Verify(A.2 token) header = %+v; want only alg RS256", h)
	}
	if string(payload) != string(rfcA2Payload) {
		t.Errorf("Verify(A.2 token) payload = %q; want %q", payload, rfcA2Payload)
	}
	// The same vector with "joe" changed to "job" must fail.
	parts := strings.Split(rfcA2Token, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(rfcA2Payload), "joe", "job", 1)))
	tampered := strings.Join(parts, ".")
	if _, _, err := Verify(tampered, &key.PublicKey); !errors.Is(err, ErrSignature) {
		t.Errorf("Verify(tampered A.2 token) error = %v; want ErrSignature", err)
	}
}

// PS256 against tokens OpenSSL signed (testdata/README says how).
func TestPS256OpenSSLVectors(t *testing.T) {
	_, key := fixture(t)
	tests := []struct {
		file    string
		want    error
		payload string
	}{
		{"testdata/ps256-openssl.jwt", nil, `{"iss":"openssl","sub":"ps256-vector"}`},
		{"testdata/ps256-openssl-salt20.jwt", ErrSignature, ""},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatalf("reading vector: %v", err)
			}
			h, payload, err := Verify(strings.TrimSpace(string(data)), &key.PublicKey)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify(%s) error = %v; want %v", tc.file, err, tc.want)
			}
			if tc.want == nil && (h.Alg != PS256 || h.Typ != "JWT" || string(payload) != tc.payload) {
				t.Errorf("Verify(%s) = %+v, %s; want PS256 JWT, %s", tc.file, h, payload, tc.payload)
			}
		})
	}
}
