package pkcs12

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// certsTestdata is where the shared fixtures live (copied there with their
// manifest; see ../certs/testdata/README.md).
const certsTestdata = "../certs/testdata"

// passwordCheck is the password_check part of a manifest fixture: which
// byte forms of the password verify the MAC and decrypt the key bag.
type passwordCheck struct {
	File          string  `json:"file"`
	Password      *string `json:"password"`
	PasswordCheck *struct {
		MAC *struct {
			Verify []string `json:"password_bytes_that_verify"`
		} `json:"mac"`
		Bags []struct {
			Algorithm string   `json:"algorithm"`
			Decrypt   []string `json:"password_bytes_that_decrypt"`
		} `json:"shrouded_key_bags"`
	} `json:"password_check"`
}

// encodings builds each byte form the manifest names from a password.
func encodings(pw []byte) map[string][]byte {
	b := bmpString(pw)
	return map[string][]byte{
		"bmp_utf16be_plus_0000":                                      b,
		"bmp_utf16be_no_terminator":                                  b[:len(b)-2],
		"utf8_bytes_each_widened_plus_0000 (openssl asc2uni legacy)": widened(pw),
		"empty (no bytes)":                                           {},
		"raw_utf8":                                                   pw,
	}
}

// walk returns the authSafe octets, the MacData element (zero if absent)
// and the values of the pkcs8ShroudedKeyBags found in plain data safes.
func walk(t *testing.T, der []byte) (authSafe []byte, mac element, hasMAC bool, shrouded []element) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	top, err := parseOne(der, tagSequence, "PFX")
	must(err)
	it, err := top.children(tagSequence, "PFX")
	must(err)
	_, err = it.next()
	must(err)
	ci, err := it.next()
	must(err)
	_, content, err := contentInfo(ci, "authSafe")
	must(err)
	authSafe, err = content.octetString("authSafe")
	must(err)
	if it.more() {
		mac, err = it.next()
		must(err)
		hasMAC = true
	}
	as, err := parseOne(authSafe, tagSequence, "AuthenticatedSafe")
	must(err)
	ait, err := as.children(tagSequence, "AuthenticatedSafe")
	must(err)
	for ait.more() {
		ci, err := ait.next()
		must(err)
		ct, content, err := contentInfo(ci, "item")
		must(err)
		if ct != oidData {
			continue
		}
		sc, err := content.octetString("item")
		must(err)
		sce, err := parseOne(sc, tagSequence, "SafeContents")
		must(err)
		bit, err := sce.children(tagSequence, "SafeContents")
		must(err)
		for bit.more() {
			bag, err := bit.next()
			must(err)
			fit, err := bag.children(tagSequence, "SafeBag")
			must(err)
			id, err := fit.next()
			must(err)
			o, err := id.oid("bagId")
			must(err)
			v, err := fit.next()
			must(err)
			if o == oidPKCS8ShroudedKeyBag {
				inner, err := v.explicit(0, "bagValue")
				must(err)
				shrouded = append(shrouded, inner)
			}
		}
	}
	return authSafe, mac, hasMAC, shrouded
}

// TestManifestPasswordForms checks, for every fixture whose manifest entry
// has a password_check, that exactly the byte forms it lists verify the MAC
// and decrypt the key bag: the password rules of RFC 7292 Appendix B.1
// (MAC, PKCS #12 PBE: BMPString) and of OpenSSL for PBES2 (raw UTF-8),
// spec/PROTOCOL.md 14.4-14.7.
func TestManifestPasswordForms(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(certsTestdata, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Fixtures []passwordCheck `json:"fixtures"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range m.Fixtures {
		if f.PasswordCheck == nil || f.Password == nil {
			continue
		}
		checked++
		t.Run(f.File, func(t *testing.T) {
			der, err := os.ReadFile(filepath.Join(certsTestdata, f.File))
			if err != nil {
				t.Fatal(err)
			}
			authSafe, mac, hasMAC, shrouded := walk(t, der)
			forms := encodings([]byte(*f.Password))
			if pc := f.PasswordCheck.MAC; pc != nil {
				if !hasMAC {
					t.Fatal("manifest describes a MAC the file lacks")
				}
				for name, form := range forms {
					d := &decoder{maxIter: MaxIterations, budget: workFactor * MaxIterations, raw: form, forms: [][]byte{append([]byte(nil), form...)}}
					got := d.verifyMAC(mac, authSafe) == nil
					want := contains(pc.Verify, name)
					if got != want {
						t.Errorf("MAC with %s: verified %v, manifest says %v", name, got, want)
					}
				}
			}
			var algBags []int
			for i, bag := range f.PasswordCheck.Bags {
				if bag.Algorithm != "" {
					algBags = append(algBags, i)
				}
			}
			if len(algBags) != len(shrouded) {
				t.Fatalf("manifest walks %d key bags, file has %d in plain safes", len(algBags), len(shrouded))
			}
			for j, i := range algBags {
				bag := f.PasswordCheck.Bags[i]
				for name, form := range forms {
					d := &decoder{maxIter: MaxIterations, budget: workFactor * MaxIterations, raw: form, forms: [][]byte{append([]byte(nil), form...)}}
					der, err := d.decryptKeyInfo(shrouded[j], "key bag")
					got := err == nil
					if got {
						_, err := ParsePrivateKeyInfo(der)
						got = err == nil
					}
					want := contains(bag.Decrypt, name)
					if got != want {
						t.Errorf("key bag (%s) with %s: decrypted %v, manifest says %v", bag.Algorithm, name, got, want)
					}
				}
			}
		})
	}
	if checked == 0 {
		t.Fatal("no fixture in the manifest has a password_check")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
