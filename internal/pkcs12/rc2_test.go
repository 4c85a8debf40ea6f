package pkcs12

import (
	"encoding/hex"
	"testing"
)

// TestRC2 checks RC2 against the vectors of RFC 2268, Section 5 (key,
// effective key bits T1, plaintext, ciphertext), both ways.
func TestRC2(t *testing.T) {
	for _, tc := range []struct {
		key   string
		t1    int
		plain string
		want  string
	}{
		{"0000000000000000", 63, "0000000000000000", "ebb773f993278eff"},
		{"ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"},
		{"3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"},
		{"88", 64, "0000000000000000", "61a8a244adacccf0"},
		{"88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"},
		{"88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"},
		{"88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"},
		{"88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", 129, "0000000000000000", "5b78d3a43dfff1f1"},
	} {
		key, _ := hex.DecodeString(tc.key)
		plain, _ := hex.DecodeString(tc.plain)
		c := newRC2(key, tc.t1)
		got := make([]byte, 8)
		c.Encrypt(got, plain)
		if hex.EncodeToString(got) != tc.want {
			t.Errorf("RC2 key %s T1 %d: Encrypt(%s) = %x, want %s", tc.key, tc.t1, tc.plain, got, tc.want)
		}
		ct, _ := hex.DecodeString(tc.want)
		c.Decrypt(got, ct)
		if hex.EncodeToString(got) != tc.plain {
			t.Errorf("RC2 key %s T1 %d: Decrypt(%s) = %x, want %s", tc.key, tc.t1, tc.want, got, tc.plain)
		}
	}
}
