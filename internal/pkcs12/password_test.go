package pkcs12

import (
	"encoding/hex"
	"strings"
	"testing"
)

// TestBMPForms checks the password forms tried with the Appendix B KDF and
// their order (package documentation, "Passwords").
func TestBMPForms(t *testing.T) {
	for _, tc := range []struct {
		name     string
		password string
		want     []string
	}{
		{"ascii", "acceptance-pass", []string{"0061006300630065007000740061006e00630065002d0070006100730073" + "0000"}},
		{"empty: 00 00, then no bytes", "", []string{"0000", ""}},
		// manifest.json, p12-nonascii-password.p12: password_bmpstring_hex.
		{"non-ASCII: BMPString, then widened", "p\u00e4ssw\u00f6rd", []string{"007000e400730073007700f6007200640000", "0070" + "00c300a4" + "007300730077" + "00c300b6" + "007200640000"}},
		{"not UTF-8: widened only", "p\xe4ss", []string{"007000e4007300730000"}},
		{"outside the BMP: surrogate pair", "a\U0001F600", []string{"0061d83dde000000", "0061" + "00f0009f00980080" + "0000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forms := bmpForms([]byte(tc.password))
			var got []string
			for _, f := range forms {
				got = append(got, hex.EncodeToString(f))
			}
			want := tc.want
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("bmpForms(%q)\n got %q\nwant %q", tc.password, got, want)
			}
		})
	}
}
