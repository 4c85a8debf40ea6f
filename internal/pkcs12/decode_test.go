package pkcs12

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeFixtures decodes OpenSSL files and checks the bag attributes:
// OpenSSL sets localKeyId to the certificate's SHA-1 and friendlyName to
// -name.
func TestDecodeFixtures(t *testing.T) {
	for _, tc := range []struct {
		file, password, name string
		keys, certs          int
	}{
		{"p12-openssl3-default.p12", "acceptance-pass", "acceptance-rsa2048", 1, 1},
		{"p12-legacy.p12", "acceptance-pass", "acceptance-rsa2048", 1, 1},
		{"p12-3des-both.p12", "acceptance-pass", "acceptance-rsa2048", 1, 1},
		{"p12-nomac.p12", "acceptance-pass", "acceptance-rsa2048", 1, 1},
		{"p12-empty-password.p12", "", "acceptance-rsa2048", 1, 1},
		{"p12-nonascii-password.p12", "p\u00e4ssw\u00f6rd", "acceptance-rsa2048", 1, 1},
		{"p12-chain.p12", "acceptance-pass", "acceptance-chain-leaf", 1, 3},
		{"p12-no-key.p12", "acceptance-pass", "acceptance-rsa2048", 0, 1},
		{"extra/p12-rc4.p12", "extra-pass", "extra-rsa2048", 1, 1},
		{"extra/p12-keyvault-like.p12", "", "extra-rsa2048", 1, 1},
		{"extra/p12-windows-like.p12", "extra-pass", "extra-rsa2048", 1, 1},
	} {
		t.Run(tc.file, func(t *testing.T) {
			bags, err := Decode(readFile(t, filepath.Join(certsTestdata, tc.file)), []byte(tc.password))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			var keys, certs int
			var keyID []byte
			for _, b := range bags {
				switch b.Kind {
				case KindKey, KindShroudedKey:
					keys++
					if b.Key == nil || b.Cert != nil {
						t.Errorf("%s bag: Key %T, Cert %v", b.Kind, b.Key, b.Cert)
					}
					keyID = b.LocalKeyID
				case KindCert:
					certs++
					if b.Cert == nil || b.Key != nil {
						t.Errorf("certBag: Cert %v, Key %T", b.Cert, b.Key)
					}
					if certs == 1 && tc.keys > 0 { // -nokeys writes no attributes
						if sum := sha1.Sum(b.Cert.Raw); !bytes.Equal(b.LocalKeyID, sum[:]) {
							t.Errorf("certificate localKeyId %x, want its SHA-1 %x", b.LocalKeyID, sum)
						}
						if b.FriendlyName != tc.name {
							t.Errorf("friendlyName %q, want %q", b.FriendlyName, tc.name)
						}
					}
				default:
					t.Errorf("bag kind %q", b.Kind)
				}
			}
			if keys != tc.keys || certs != tc.certs {
				t.Errorf("%d keys and %d certificates, want %d and %d", keys, certs, tc.keys, tc.certs)
			}
			if keys == 1 && len(keyID) == 0 {
				t.Error("key bag has no localKeyId")
			}
		})
	}
}

// TestDecryptPrivateKeyInfo decrypts the ENCRYPTED PRIVATE KEY blocks of
// the fixtures (PBES2 with each PRF and cipher, PBES1, PKCS #12 PBE) and
// compares the key with the unencrypted one.
func TestDecryptPrivateKeyInfo(t *testing.T) {
	plain := pemBlock(t, readFile(t, filepath.Join(certsTestdata, "key-only.pem")), "PRIVATE KEY")
	want, err := x509.ParsePKCS8PrivateKey(plain)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(certsTestdata, "extra", "pem-enc-*.pem"))
	files = append(files, filepath.Join(certsTestdata, "rsa2048-encrypted-pkcs8.pem"))
	if len(files) < 10 {
		t.Fatalf("found %d encrypted key fixtures", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			password := "extra-pass"
			switch {
			case strings.Contains(f, "rsa2048-encrypted"):
				password = "acceptance-pass"
			case strings.Contains(f, "nonascii"):
				password = "p\u00e4ssw\u00f6rd"
			}
			enc := pemBlock(t, readFile(t, f), "ENCRYPTED PRIVATE KEY")
			der, err := DecryptPrivateKeyInfo(enc, []byte(password))
			if err != nil {
				t.Fatalf("DecryptPrivateKeyInfo: %v", err)
			}
			key, err := ParsePrivateKeyInfo(der)
			if err != nil {
				t.Fatalf("ParsePrivateKeyInfo: %v", err)
			}
			if !key.(*rsa.PrivateKey).Equal(want) {
				t.Error("decrypted key differs from the plain one")
			}
			if _, err := DecryptPrivateKeyInfo(enc, []byte("wrong")); !errors.Is(err, ErrIncorrectPassword) {
				t.Errorf("wrong password: %v, want ErrIncorrectPassword", err)
			}
		})
	}
}

func pemBlock(t *testing.T, data []byte, label string) []byte {
	t.Helper()
	b := pemBlockF(data, label)
	if b == nil {
		t.Fatalf("no %s block", label)
	}
	return b
}

// pemBlockF returns the first block with label, or nil.
func pemBlockF(data []byte, label string) []byte {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil
		}
		if b.Type == label {
			return b.Bytes
		}
	}
}

// rfc9579A1 returns the RFC 9579 Appendix A.1 file.
func rfc9579A1(t testing.TB) []byte {
	b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(readFile(t, "testdata/rfc9579-a1.p12.b64")), "\n", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPBMAC1 checks PBMAC1 (RFC 9579) on its Appendix A files.
func TestPBMAC1(t *testing.T) {
	a1 := rfc9579A1(t)
	bags, err := Decode(a1, []byte("1234"))
	if err != nil {
		t.Fatalf("A.1: %v", err)
	}
	if len(bags) != 2 {
		t.Errorf("A.1: %d bags, want a certificate and a key", len(bags))
	}
	if _, err := Decode(a1, []byte("12345")); !errors.Is(err, ErrIncorrectPassword) {
		t.Errorf("A.1, wrong password: %v, want ErrIncorrectPassword", err)
	}

	// Rebuild A.1's MacData with the builder; first check the rebuild
	// verifies, so each failure below is for the one field changed.
	authSafeCI, macSalt, digest := splitA1(t, a1)
	build := func(keyLength []byte, iter, macIter int64) []byte {
		params := [][]byte{octet(macSalt), integer(iter)}
		if keyLength != nil {
			params = append(params, keyLength)
		}
		params = append(params, algID(oidHMACWithSHA256, null()))
		kdf := algID(oidPBKDF2, seq(params...))
		mac := seq(seq(algID(oidPBMAC1, seq(kdf, algID(oidHMACWithSHA256, null()))), octet(digest)), octet([]byte("NOT USED")), integer(macIter))
		return seq(integer(3), authSafeCI, mac)
	}
	if _, err := Decode(build(integer(32), 2048, 1), []byte("1234")); err != nil {
		t.Fatalf("A.1 rebuilt: %v", err)
	}
	// A.4: PBKDF2 iterationCount 2049 with macData iterations 2048, which
	// must not be used.
	if _, err := Decode(build(integer(32), 2049, 2048), []byte("1234")); !errors.Is(err, ErrIncorrectPassword) {
		t.Errorf("A.4: %v, want ErrIncorrectPassword", err)
	}
	// A.6: no keyLength.
	if _, err := Decode(build(nil, 2048, 1), []byte("1234")); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "keyLength") {
		t.Errorf("A.6: %v, want ErrMalformed about keyLength", err)
	}
}

// splitA1 returns the authSafe ContentInfo, the PBKDF2 salt and the MAC of
// the A.1 file.
func splitA1(t *testing.T, a1 []byte) (authSafeCI, salt, digest []byte) {
	top, err := parseOne(a1, tagSequence, "PFX")
	if err != nil {
		t.Fatal(err)
	}
	it, _ := top.children(tagSequence, "PFX")
	it.next()
	ci, _ := it.next()
	mac, _ := it.next()
	mit, _ := mac.children(tagSequence, "MacData")
	di, _ := mit.next()
	dit, _ := di.children(tagSequence, "DigestInfo")
	a, _ := dit.next()
	alg, _ := parseAlgorithm(a, "alg")
	g, _ := dit.next()
	pit, _ := alg.params.children(tagSequence, "PBMAC1")
	k, _ := pit.next()
	kdf, _ := parseAlgorithm(k, "kdf")
	p, err := parsePBKDF2(kdf, "kdf")
	if err != nil {
		t.Fatal(err)
	}
	return ci.raw, p.salt, g.body
}

// TestDecodeSynthetic covers shapes OpenSSL does not write: BER, nesting,
// skipped bags and attributes, password forms without a MAC.
func TestDecodeSynthetic(t *testing.T) {
	certDER := pemBlock(t, readFile(t, filepath.Join(certsTestdata, "cert-only.pem")), "CERTIFICATE")
	keyDER := pemBlock(t, readFile(t, filepath.Join(certsTestdata, "key-only.pem")), "PRIVATE KEY")
	salt := []byte("saltsalt")
	nameAttr := attr(oidFriendlyName, bmp("syn"))
	idAttr := attr(oidLocalKeyID, octet([]byte{1, 0, 0, 0}))
	unknownAttr := attr("1.3.6.1.4.1.311.17.1", bmp("Microsoft Enhanced Cryptographic Provider v1.0"))

	t.Run("BER: indefinite lengths, constructed OCTET STRINGs", func(t *testing.T) {
		sc := seq(certBagOf(certDER, nameAttr, idAttr, unknownAttr), keyBagOf(keyDER))
		authSafe := seq(dataCI(sc))
		// authSafe split into two OCTET STRING segments; everything
		// constructed has an indefinite length.
		half := len(authSafe) / 2
		content := indef(0x04, octet(authSafe[:half]), octet(authSafe[half:]))
		form := bmpString([]byte("pw"))
		mac := classicMAC(sha256.New, oidSHA256, form, salt, 3, authSafe)
		der := indef(0x30, integer(3), indef(0x30, oid(oidData), indef(0xa0, content)), mac)
		bags, err := Decode(der, []byte("pw"))
		if err != nil {
			t.Fatal(err)
		}
		if len(bags) != 2 || bags[0].FriendlyName != "syn" || !bytes.Equal(bags[0].LocalKeyID, []byte{1, 0, 0, 0}) || bags[1].Key == nil {
			t.Errorf("bags %+v", bags)
		}
	})

	t.Run("empty password as no bytes, used for 3DES too", func(t *testing.T) {
		alg, ct := encrypt3DES(keyDER, []byte{}, salt, 7)
		authSafe := seq(dataCI(seq(shroudedBagOf(alg, ct), certBagOf(certDER))))
		der := pfx(authSafe, classicMAC(sha1.New, oidSHA1, []byte{}, salt, 7, authSafe))
		bags, err := Decode(der, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(bags) != 2 || bags[0].Key == nil {
			t.Errorf("bags %+v", bags)
		}
	})

	t.Run("no MAC: the widened form found by decryption", func(t *testing.T) {
		pw := []byte("p\u00e4ss")
		alg, ct := encrypt3DES(seq(certBagOf(certDER)), widened(pw), salt, 5)
		kalg, kct := encrypt3DES(keyDER, widened(pw), salt, 5)
		authSafe := seq(encryptedCI(alg, ct), dataCI(seq(shroudedBagOf(kalg, kct))))
		bags, err := Decode(pfx(authSafe, nil), pw)
		if err != nil {
			t.Fatal(err)
		}
		if len(bags) != 2 {
			t.Errorf("bags %+v", bags)
		}
		if _, err := Decode(pfx(authSafe, nil), []byte("other")); !errors.Is(err, ErrIncorrectPassword) {
			t.Errorf("wrong password: %v", err)
		}
	})

	t.Run("nested safeContentsBag, skipped bags", func(t *testing.T) {
		secret := seq(oid(oidSecretBag), ctx0(seq(oid("1.2.3.4"), ctx0(octet([]byte("x"))))))
		crl := seq(oid(oidCRLBag), ctx0(seq(oid("1.2.840.113549.1.9.23.1"), ctx0(octet([]byte("x"))))))
		sdsi := seq(oid(oidCertBag), ctx0(seq(oid(oidSDSICertificate), ctx0(tlv(0x16, []byte("x"))))))
		unknown := seq(oid("1.2.3.4.5"), ctx0(null()))
		nested := seq(oid(oidSafeContentsBag), ctx0(seq(seq(oid(oidSafeContentsBag), ctx0(seq(certBagOf(certDER)))))))
		authSafe := seq(dataCI(seq(secret, crl, sdsi, unknown, nested)))
		bags, err := Decode(pfx(authSafe, nil), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(bags) != 1 || bags[0].Cert == nil {
			t.Errorf("bags %+v", bags)
		}
	})

	t.Run("PBES2 content with a MAC over SHA-512", func(t *testing.T) {
		alg, ct := encryptPBES2(seq(certBagOf(certDER), keyBagOf(keyDER)), []byte("pw"), salt, 9)
		authSafe := seq(encryptedCI(alg, ct))
		der := pfx(authSafe, classicMAC(sha512.New, oidSHA512, bmpString([]byte("pw")), salt, 9, authSafe))
		bags, err := Decode(der, []byte("pw"))
		if err != nil || len(bags) != 2 {
			t.Fatalf("%v %+v", err, bags)
		}
	})
}

// TestDecodeErrors checks that bad input gets the right error, never a
// panic, and that no error repeats the password.
func TestDecodeErrors(t *testing.T) {
	const password = "S3cret-P@ss"
	certDER := pemBlock(t, readFile(t, filepath.Join(certsTestdata, "cert-only.pem")), "CERTIFICATE")
	salt := []byte("saltsalt")
	good := seq(dataCI(seq(certBagOf(certDER))))
	withMAC := func(authSafe []byte, iter int) []byte {
		return pfx(authSafe, classicMAC(sha1.New, oidSHA1, bmpString([]byte(password)), salt, iter, authSafe))
	}
	bagsOf := func(n int) []byte {
		var bs [][]byte
		for i := 0; i < n; i++ {
			bs = append(bs, seq(oid(oidSecretBag), ctx0(null())))
		}
		return seq(dataCI(seq(bs...)))
	}
	deep := null()
	for i := 0; i < MaxDepth+2; i++ {
		deep = indef(0x30, deep)
	}
	manySafes := func(n, iter int) []byte {
		var cis [][]byte
		for i := 0; i < n; i++ {
			alg, ct := encryptPBES2(seq(), []byte(password), salt, iter)
			cis = append(cis, encryptedCI(alg, ct))
		}
		return seq(cis...)
	}
	dec := Decoder{MaxIterations: 100}
	for _, tc := range []struct {
		name    string
		der     []byte
		want    error
		mention string
	}{
		{"empty", nil, ErrMalformed, ""},
		{"not DER", []byte("hello, world"), ErrMalformed, ""},
		{"trailing data", append(withMAC(good, 1), 0), ErrMalformed, "trailing"},
		{"version 2", seq(integer(2), seq(oid(oidData), ctx0(octet(good)))), ErrMalformed, "version"},
		{"signedData authSafe", seq(integer(3), seq(oid(oidSignedData), ctx0(seq()))), ErrUnsupportedAlgorithm, oidSignedData},
		{"envelopedData safe", pfx(seq(seq(oid(oidEnvelopedData), ctx0(seq()))), nil), ErrUnsupportedAlgorithm, oidEnvelopedData},
		{"unknown encryption", pfx(seq(encryptedCI(algID("1.2.3.4.5.6"), []byte("12345678"))), nil), ErrUnsupportedAlgorithm, "1.2.3.4.5.6"},
		{"PBES2 with RC2-CBC", pfx(seq(encryptedCI(algID(oidPBES2, seq(algID(oidPBKDF2, seq(octet(salt), integer(1))), algID(oidRC2CBC, seq(integer(58), octet(salt))))), []byte("12345678"))), nil), ErrUnsupportedAlgorithm, oidRC2CBC},
		{"PBKDF2 with an unknown PRF", pfx(seq(encryptedCI(algID(oidPBES2, seq(algID(oidPBKDF2, seq(octet(salt), integer(1), algID("1.2.840.113549.2.99", null()))), algID(oidAES128CBC, octet(make([]byte, 16))))), make([]byte, 16))), nil), ErrUnsupportedAlgorithm, "1.2.840.113549.2.99"},
		{"MAC over MD5", pfx(good, seq(seq(algID("1.2.840.113549.2.5", null()), octet(make([]byte, 16))), octet(salt), integer(1))), ErrUnsupportedAlgorithm, "MD5"},
		{"MAC mismatch", pfx(good, classicMAC(sha1.New, oidSHA1, bmpString([]byte("other")), salt, 1, good)), ErrIncorrectPassword, "MAC"},
		{"MAC iterations 0", pfx(good, seq(seq(algID(oidSHA1, null()), octet(make([]byte, 20))), octet(salt), integer(0))), ErrMalformed, "iteration"},
		{"MAC iterations at the cap", withMAC(good, 100), nil, ""},
		{"MAC iterations over the cap", withMAC(good, 101), ErrLimit, "101"},
		{"MAC iterations absurd", pfx(good, seq(seq(algID(oidSHA1, null()), octet(make([]byte, 20))), octet(salt), tlv(0x02, bytes.Repeat([]byte{0x7f}, 20)))), ErrLimit, "exceeds"},
		{"work budget", pfx(manySafes(workFactor+1, 100), nil), ErrLimit, "in total"},
		{"bags at the limit", pfx(bagsOf(MaxBags), nil), nil, ""},
		{"bags over the limit", pfx(bagsOf(MaxBags+1), nil), ErrLimit, "bags"},
		{"nesting", pfx(seq(dataCI(seq(seq(oid("1.2.3"), ctx0(deep))))), nil), ErrLimit, "nesting"},
		{"truncated", withMAC(good, 1)[:50], ErrMalformed, ""},
		{"bad padding", pfx(seq(encryptedCI(algID(oidPBEWithSHAAnd3KeyTripleDESCBC, seq(octet(salt), integer(1))), make([]byte, 16))), nil), ErrIncorrectPassword, ""},
		{"ciphertext not whole blocks", pfx(seq(encryptedCI(algID(oidPBEWithSHAAnd3KeyTripleDESCBC, seq(octet(salt), integer(1))), make([]byte, 15))), nil), ErrMalformed, "block"},
		{"bad certificate", pfx(seq(dataCI(seq(certBagOf([]byte{0x30, 0x03, 0x02, 0x01, 0x01})))), nil), ErrMalformed, "SafeBag 1"},
		{"unsupported key algorithm", pfx(seq(dataCI(seq(keyBagOf(seq(integer(0), algID("1.2.840.10040.4.1"), octet([]byte{1})))))), nil), ErrUnsupportedKeyAlgorithm, "DSA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bags, err := dec.Decode(tc.der, []byte(password))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode: %v, want %v", err, tc.want)
			}
			if bags != nil {
				t.Error("bags returned with an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.mention) {
				t.Errorf("error %q does not mention %q", msg, tc.mention)
			}
			if strings.Contains(msg, password) || strings.Contains(msg, hex.EncodeToString([]byte(password))) {
				t.Errorf("error %q contains the password", msg)
			}
		})
	}
}

// TestDecodePrefixes decodes every prefix of real files: each must fail
// cleanly.
func TestDecodePrefixes(t *testing.T) {
	for _, f := range []string{"p12-openssl3-default.p12", "p12-legacy.p12"} {
		der := readFile(t, filepath.Join(certsTestdata, f))
		for n := 0; n < len(der); n += 7 {
			if bags, err := Decode(der[:n], []byte("acceptance-pass")); err == nil || bags != nil {
				t.Fatalf("%s[:%d]: bags %v, err %v", f, n, bags, err)
			}
		}
	}
}

// TestEncryptedContentMalformed: what follows the algorithm of an
// EncryptedContentInfo is [0] encryptedContent or nothing (RFC 5652,
// Section 6.1). Garbage, a truncated [0] or another tag there is
// ErrMalformed; it used to make the encrypted safe vanish without an error.
func TestEncryptedContentMalformed(t *testing.T) {
	salt := []byte("saltsalt")
	alg := algID(oidPBEWithSHAAnd3KeyTripleDESCBC, seq(octet(salt), integer(1)))
	for _, tc := range []struct {
		name  string
		after []byte // what follows contentEncryptionAlgorithm
	}{
		{"garbage bytes", []byte{0xff, 0xff, 0xff}},
		{"truncated [0]", []byte{0x80, 0x10, 1, 2, 3}},
		{"universal OCTET STRING instead of [0]", octet(make([]byte, 16))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eci := seq(oid(oidData), alg, tc.after)
			authSafe := seq(seq(oid(oidEncryptedData), ctx0(seq(integer(0), eci))))
			der := pfx(authSafe, classicMAC(sha1.New, oidSHA1, bmpString([]byte("pw")), salt, 1, authSafe))
			bags, err := Decode(der, []byte("pw"))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode accepted a malformed EncryptedContentInfo and returned %d bags, want ErrMalformed (err %v)", len(bags), err)
			}
		})
	}
}
