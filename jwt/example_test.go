package jwt_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"time"

	"github.com/azid-go/azid/jwt"
)

// loadPEM returns the certificate and key of the test fixture.
func loadPEM(path string) (certDER []byte, key *rsa.PrivateKey) {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		switch block.Type {
		case "CERTIFICATE":
			certDER = block.Bytes
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				panic(err)
			}
			key = k.(*rsa.PrivateKey)
		}
	}
	return certDER, key
}

func ExampleClientAssertion() {
	cert, key := loadPEM("testdata/rsa2048-cert-pkcs8key.pem")
	tokenURL := "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)

	assertion, err := jwt.ClientAssertion(jwt.RS256, key, [][]byte{cert}, "my-client-id", tokenURL, now, 0, false)
	if err != nil {
		fmt.Println(err)
		return
	}

	// What the token endpoint will check: the signature against the
	// registered certificate, then the claims.
	h, payload, err := jwt.Verify(assertion, &key.PublicKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	var c jwt.AssertionClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("alg:", h.Alg, "typ:", h.Typ, "x5t:", h.X5t)
	fmt.Println("iss = sub:", c.Iss == c.Sub, c.Sub)
	fmt.Println("aud:", c.Aud)
	fmt.Println("valid:", jwt.FromNumericDate(c.Nbf).Format(time.RFC3339), "to", jwt.FromNumericDate(c.Exp).Format(time.RFC3339))
	// Output:
	// alg: RS256 typ: JWT x5t: bryK3uKffrzqtsjeX8dXmq12ACc
	// iss = sub: true my-client-id
	// aud: https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token
	// valid: 2026-11-26T15:00:00Z to 2026-11-26T15:10:00Z
}

func ExampleParseUnverified() {
	// RFC 7515, Appendix A.2. Nothing here checks who signed it.
	token := "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
	h, payload, err := jwt.ParseUnverified(token)
	if err != nil {
		fmt.Println(err)
		return
	}
	var claims struct {
		Iss string `json:"iss"`
		Exp int64  `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.Alg, claims.Iss, jwt.FromNumericDate(claims.Exp).Format(time.RFC3339))

	_, _, err = jwt.ParseUnverified(token + "=")
	fmt.Println(err)
	// Output:
	// RS256 joe 2011-03-22T18:43:00Z
	// jwt: malformed token: signature has a byte outside base64url at offset 342
}
