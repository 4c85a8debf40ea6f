package pkcs12

import (
	"crypto/hmac"
	"crypto/subtle"
)

// verifyMAC checks MacData against the authSafe content octets and narrows
// d.forms to the password form that verified (RFC 7292, Section 5):
//
//	MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING,
//	  iterations INTEGER DEFAULT 1 }
//	DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier,
//	  digest OCTET STRING }
func (d *decoder) verifyMAC(e element, authSafe []byte) error {
	it, err := e.children(tagSequence, "MacData")
	if err != nil {
		return err
	}
	di, err := it.next()
	if err != nil {
		return err
	}
	dit, err := di.children(tagSequence, "MacData: DigestInfo")
	if err != nil {
		return err
	}
	a, err := dit.next()
	if err != nil {
		return err
	}
	alg, err := parseAlgorithm(a, "MacData: digestAlgorithm")
	if err != nil {
		return err
	}
	g, err := dit.next()
	if err != nil {
		return err
	}
	digest, err := g.octetString("MacData: digest")
	if err != nil {
		return err
	}
	s, err := it.next()
	if err != nil {
		return err
	}
	salt, err := s.octetString("MacData: macSalt")
	if err != nil {
		return err
	}
	iter := int64(1) // "iterations INTEGER DEFAULT 1"
	if it.more() {
		n, _ := it.next()
		if iter, err = n.integer("MacData: iterations"); err != nil {
			return err
		}
	}
	if alg.oid == oidPBMAC1 {
		// RFC 9579: with PBMAC1 the salt and iterations are those of its
		// PBKDF2 parameters; macSalt and iterations are not used (the
		// RFC's Appendix A.1 file carries macSalt "NOT USED" and 1).
		return d.verifyPBMAC1(alg, authSafe, digest)
	}
	h, ok := digests[alg.oid]
	if !ok {
		return unsupported("MAC digest", alg.oid)
	}
	size := h().Size()
	for i, form := range d.forms {
		if err := d.spend(iter, 1); err != nil {
			return err
		}
		// Section 5: the MAC key comes from the Appendix B KDF with ID 3,
		// the MAC's own hash, macSalt and iterations; its length is the
		// hash's output length (Appendix B.4: HMAC-SHA-1 keys are 160 bits).
		key := deriveKey(h, purposeMAC, form, salt, int(iter), size)
		m := hmac.New(h, key)
		m.Write(authSafe)
		sum := m.Sum(nil)
		wipe(key)
		if subtle.ConstantTimeCompare(sum, digest) == 1 {
			for j, f := range d.forms {
				if j != i {
					wipe(f)
				}
			}
			d.forms = [][]byte{form}
			return nil
		}
	}
	return wrongPassword("MAC does not verify")
}

// verifyPBMAC1 checks a PBMAC1 MAC (RFC 9579; RFC 8018, Section 7.1): the
// HMAC key is PBKDF2 over the password as given.
//
//	PBMAC1-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier,
//	  messageAuthScheme AlgorithmIdentifier }
func (d *decoder) verifyPBMAC1(alg algorithm, authSafe, digest []byte) error {
	if !alg.hasParams {
		return malformed("MacData: missing PBMAC1 parameters")
	}
	it, err := alg.params.children(tagSequence, "MacData: PBMAC1 parameters")
	if err != nil {
		return err
	}
	e, err := it.next()
	if err != nil {
		return err
	}
	kdf, err := parseAlgorithm(e, "MacData: PBMAC1 keyDerivationFunc")
	if err != nil {
		return err
	}
	if e, err = it.next(); err != nil {
		return err
	}
	scheme, err := parseAlgorithm(e, "MacData: PBMAC1 messageAuthScheme")
	if err != nil {
		return err
	}
	h, ok := hmacs[scheme.oid]
	if !ok {
		return unsupported("MacData: PBMAC1 messageAuthScheme", scheme.oid)
	}
	p, err := parsePBKDF2(kdf, "MacData: PBMAC1")
	if err != nil {
		return err
	}
	// RFC 9579 requires PBKDF2's keyLength here; its Appendix A.6 is a
	// file to refuse for lacking it. OpenSSL reads the key length from it
	// too (crypto/pkcs12/p12_mutl.c, PBMAC1_PBKDF2_HMAC).
	if p.keyLen == 0 {
		return malformed("MacData: PBMAC1 PBKDF2 keyLength is missing")
	}
	key, err := d.derive(p, d.raw, p.keyLen)
	if err != nil {
		return err
	}
	m := hmac.New(h, key)
	m.Write(authSafe)
	sum := m.Sum(nil)
	wipe(key)
	if subtle.ConstantTimeCompare(sum, digest) != 1 {
		return wrongPassword("MAC (PBMAC1) does not verify")
	}
	return nil
}
