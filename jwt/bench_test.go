package jwt

import (
	"testing"
	"time"
)

func BenchmarkClientAssertion(b *testing.B) {
	cert, key := fixture(b)
	for _, alg := range []string{RS256, PS256} {
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := ClientAssertion(alg, key, [][]byte{cert}, "client-id", testAudience, assertionNow, 10*time.Minute, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	cert, key := fixture(b)
	token, err := ClientAssertion(RS256, key, [][]byte{cert}, "client-id", testAudience, assertionNow, 0, true)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := Verify(token, &key.PublicKey); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseUnverified(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := ParseUnverified(rfcA2Token); err != nil {
			b.Fatal(err)
		}
	}
}
