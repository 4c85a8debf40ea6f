package pkcs12

import (
	"crypto"
	"crypto/x509"
	"fmt"
)

// Bag kinds, named as RFC 7292, Section 4.2 names the bag types.
const (
	KindKey         = "keyBag"
	KindShroudedKey = "pkcs8ShroudedKeyBag"
	KindCert        = "certBag"
)

// Bag is one key or certificate of a PKCS #12 file.
type Bag struct {
	// Kind is KindKey, KindShroudedKey or KindCert.
	Kind string
	// LocalKeyID is the localKeyId attribute (RFC 7292, Appendix D; PKCS
	// #9), which pairs a key with its certificate; nil when absent.
	LocalKeyID []byte
	// FriendlyName is the friendlyName attribute; empty when absent.
	FriendlyName string
	// Cert is the certificate of a certBag.
	Cert *x509.Certificate
	// Key is the private key of a keyBag or pkcs8ShroudedKeyBag, as
	// ParsePrivateKeyInfo returns it.
	Key crypto.PrivateKey
}

// Decode decodes a DER (or BER) PKCS #12 file with password and returns its
// keys and certificates in file order. Bags other than keys and X.509
// certificates are skipped. A MAC that does not verify, or an encrypted part
// that does not decrypt, is ErrIncorrectPassword.
func Decode(pfx, password []byte) ([]Bag, error) {
	return Decoder{}.Decode(pfx, password)
}

// Decode is the package function with dec's limits.
func (dec Decoder) Decode(pfx, password []byte) ([]Bag, error) {
	if len(pfx) > MaxInputSize {
		return nil, fmt.Errorf("%w: file is over %d bytes", ErrLimit, MaxInputSize)
	}
	d := dec.start(password)
	defer d.wipe()

	// RFC 7292, Section 4: PFX ::= SEQUENCE { version INTEGER {v3(3)}(v3,...),
	// authSafe ContentInfo, macData MacData OPTIONAL }
	top, err := parseOne(pfx, tagSequence, "PFX")
	if err != nil {
		return nil, err
	}
	it, err := top.children(tagSequence, "PFX")
	if err != nil {
		return nil, err
	}
	v, err := it.next()
	if err != nil {
		return nil, err
	}
	version, err := v.integer("PFX version")
	if err != nil {
		return nil, err
	}
	if version != 3 {
		return nil, malformed("PFX version %d is not 3", version)
	}
	ci, err := it.next()
	if err != nil {
		return nil, err
	}
	contentType, content, err := contentInfo(ci, "authSafe")
	if err != nil {
		return nil, err
	}
	// Section 4: "authSafe ... contentType is signedData in public-key
	// integrity mode and data in password integrity mode".
	if contentType != oidData {
		return nil, unsupported("authSafe content type", contentType)
	}
	authSafe, err := content.octetString("authSafe content")
	if err != nil {
		return nil, err
	}
	if it.more() {
		m, err := it.next()
		if err != nil {
			return nil, err
		}
		if err := d.verifyMAC(m, authSafe); err != nil {
			return nil, err
		}
	}
	// Without MacData every password form stays in d.forms, and decryption
	// tries them in turn (spec/PROTOCOL.md 14.6, "No MacData at all").

	var bags []Bag
	if err := d.authenticatedSafe(authSafe, &bags); err != nil {
		return nil, err
	}
	return bags, nil
}

// contentInfo reads ContentInfo (RFC 5652, Section 3):
// SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY OPTIONAL }.
// Every ContentInfo of PKCS #12 has content, so it is required here.
func contentInfo(e element, what string) (contentType string, content element, err error) {
	it, err := e.children(tagSequence, what)
	if err != nil {
		return "", element{}, err
	}
	t, err := it.next()
	if err != nil {
		return "", element{}, err
	}
	if contentType, err = t.oid(what + ": contentType"); err != nil {
		return "", element{}, err
	}
	c, err := it.next()
	if err != nil {
		return "", element{}, err
	}
	content, err = c.explicit(0, what+": content")
	return contentType, content, err
}

// authenticatedSafe walks AuthenticatedSafe (RFC 7292, Section 4.1):
// SEQUENCE OF ContentInfo, each data (plain SafeContents) or encryptedData
// (password-encrypted SafeContents). Producers write one, two or more.
func (d *decoder) authenticatedSafe(b []byte, bags *[]Bag) error {
	top, err := parseOne(b, tagSequence, "AuthenticatedSafe")
	if err != nil {
		return err
	}
	it, err := top.children(tagSequence, "AuthenticatedSafe")
	if err != nil {
		return err
	}
	count := 0
	for it.more() {
		ci, err := it.next()
		if err != nil {
			return err
		}
		count++
		what := fmt.Sprintf("AuthenticatedSafe item %d", count)
		contentType, content, err := contentInfo(ci, what)
		if err != nil {
			return err
		}
		switch contentType {
		case oidData:
			sc, err := content.octetString(what)
			if err != nil {
				return err
			}
			if err := d.safeContents(sc, what, bags); err != nil {
				return err
			}
		case oidEncryptedData:
			sc, err := d.encryptedData(content, what)
			if err != nil {
				return err
			}
			err = d.safeContents(sc, what, bags)
			wipe(sc)
			if err != nil {
				return err
			}
		default:
			return unsupported(what+": content type", contentType)
		}
	}
	return nil
}

// encryptedData decrypts EncryptedData (RFC 5652, Sections 8 and 6.1):
//
//	EncryptedData ::= SEQUENCE { version CMSVersion,
//	  encryptedContentInfo EncryptedContentInfo,
//	  unprotectedAttrs [1] IMPLICIT UnprotectedAttributes OPTIONAL }
//	EncryptedContentInfo ::= SEQUENCE { contentType ContentType,
//	  contentEncryptionAlgorithm ContentEncryptionAlgorithmIdentifier,
//	  encryptedContent [0] IMPLICIT EncryptedContent OPTIONAL }
func (d *decoder) encryptedData(e element, what string) ([]byte, error) {
	it, err := e.children(tagSequence, what+": EncryptedData")
	if err != nil {
		return nil, err
	}
	if _, err := it.next(); err != nil { // version: 0, or 2 with unprotectedAttrs
		return nil, err
	}
	eci, err := it.next()
	if err != nil {
		return nil, err
	}
	eit, err := eci.children(tagSequence, what+": EncryptedContentInfo")
	if err != nil {
		return nil, err
	}
	t, err := eit.next()
	if err != nil {
		return nil, err
	}
	contentType, err := t.oid(what + ": EncryptedContentInfo contentType")
	if err != nil {
		return nil, err
	}
	if contentType != oidData {
		return nil, unsupported(what+": encrypted content type", contentType)
	}
	a, err := eit.next()
	if err != nil {
		return nil, err
	}
	alg, err := parseAlgorithm(a, what+": contentEncryptionAlgorithm")
	if err != nil {
		return nil, err
	}
	if !eit.more() {
		// encryptedContent is OPTIONAL; absent, there is nothing inside.
		return nil, nil
	}
	// RFC 5652, Section 6.1: encryptedContent [0] IMPLICIT, and nothing
	// after it. Anything else there is damage, not an absent field.
	c, err := eit.next()
	if err != nil {
		return nil, err
	}
	if !c.is(classContext, 0) {
		return nil, malformed("%s: EncryptedContentInfo: encryptedContent is not [0]", what)
	}
	if eit.more() {
		return nil, malformed("%s: EncryptedContentInfo: trailing data", what)
	}
	ciphertext, err := c.octets() // [0] IMPLICIT OCTET STRING, maybe constructed
	if err != nil {
		return nil, err
	}
	return d.decrypt(alg, ciphertext, what)
}

// safeContents walks SafeContents (RFC 7292, Section 4.2):
// SEQUENCE OF SafeBag, SafeBag ::= SEQUENCE { bagId BAG-TYPE.&id,
// bagValue [0] EXPLICIT BAG-TYPE.&Type, bagAttributes SET OF PKCS12Attribute OPTIONAL }.
func (d *decoder) safeContents(b []byte, what string, bags *[]Bag) error {
	if len(b) == 0 {
		return nil
	}
	top, err := parseOne(b, tagSequence, what+": SafeContents")
	if err != nil {
		return err
	}
	return d.safeBags(top, what, bags)
}

// safeBags walks the SafeBags of a SafeContents element.
func (d *decoder) safeBags(top element, what string, bags *[]Bag) error {
	it, err := top.children(tagSequence, what+": SafeContents")
	if err != nil {
		return err
	}
	for it.more() {
		e, err := it.next()
		if err != nil {
			return err
		}
		if d.bagCount++; d.bagCount > MaxBags {
			return fmt.Errorf("%w: more than %d bags", ErrLimit, MaxBags)
		}
		bw := fmt.Sprintf("SafeBag %d", d.bagCount)
		bit, err := e.children(tagSequence, bw)
		if err != nil {
			return err
		}
		id, err := bit.next()
		if err != nil {
			return err
		}
		bagID, err := id.oid(bw + ": bagId")
		if err != nil {
			return err
		}
		w, err := bit.next()
		if err != nil {
			return err
		}
		value, err := w.explicit(0, bw+": bagValue")
		if err != nil {
			return err
		}
		bag := Bag{}
		switch bagID {
		case oidKeyBag: // Section 4.2.1: KeyBag ::= PrivateKeyInfo
			bag.Kind = KindKey
			if bag.Key, err = ParsePrivateKeyInfo(value.raw); err != nil {
				return fmt.Errorf("%s: %w", bw, err)
			}
		case oidPKCS8ShroudedKeyBag: // Section 4.2.2: EncryptedPrivateKeyInfo
			bag.Kind = KindShroudedKey
			der, err := d.decryptKeyInfo(value, bw+" (pkcs8ShroudedKeyBag)")
			if err != nil {
				return err
			}
			bag.Key, err = ParsePrivateKeyInfo(der)
			wipe(der)
			if err != nil {
				return fmt.Errorf("%s: %w", bw, err)
			}
		case oidCertBag:
			bag.Kind = KindCert
			if bag.Cert, err = certBag(value, bw); err != nil {
				return err
			}
			if bag.Cert == nil {
				continue // not an X.509 certificate
			}
		case oidSafeContentsBag: // Section 4.2.6: nested SafeContents
			if err := d.safeBags(value, bw, bags); err != nil {
				return err
			}
			continue
		default: // crlBag, secretBag and unknown bags are skipped
			continue
		}
		if bit.more() {
			a, err := bit.next()
			if err != nil {
				return err
			}
			if err := bagAttributes(a, bw, &bag); err != nil {
				return err
			}
		}
		*bags = append(*bags, bag)
	}
	return nil
}

// certBag reads CertBag (RFC 7292, Section 4.2.3): SEQUENCE { certId
// BAG-TYPE.&id, certValue [0] EXPLICIT BAG-TYPE.&Type }. It returns nil for
// certificate types other than x509Certificate, whose value is "a
// DER-encoded X.509 certificate stored in OCTET STRING".
func certBag(e element, what string) (*x509.Certificate, error) {
	it, err := e.children(tagSequence, what+": CertBag")
	if err != nil {
		return nil, err
	}
	id, err := it.next()
	if err != nil {
		return nil, err
	}
	certID, err := id.oid(what + ": certId")
	if err != nil {
		return nil, err
	}
	if certID != oidX509Certificate {
		return nil, nil
	}
	w, err := it.next()
	if err != nil {
		return nil, err
	}
	v, err := w.explicit(0, what+": certValue")
	if err != nil {
		return nil, err
	}
	der, err := v.octetString(what + ": certValue")
	if err != nil {
		return nil, err
	}
	// x509.Certificate keeps slices of its input, which may be a
	// decrypted buffer wiped later: give it a copy of its own.
	c, err := x509.ParseCertificate(append([]byte(nil), der...))
	if err != nil {
		return nil, malformed("%s: %v", what, err)
	}
	return c, nil
}

// bagAttributes reads the attributes this package reports, friendlyName
// (BMPString) and localKeyId (OCTET STRING), and ignores the rest (RFC
// 7292, Section 4.2: PKCS12Attribute ::= SEQUENCE { attrId, attrValues SET
// OF ... }). The first value of each is used.
func bagAttributes(e element, what string, bag *Bag) error {
	it, err := e.children(tagSet, what+": bagAttributes")
	if err != nil {
		return err
	}
	for it.more() {
		a, err := it.next()
		if err != nil {
			return err
		}
		ait, err := a.children(tagSequence, what+": attribute")
		if err != nil {
			return err
		}
		id, err := ait.next()
		if err != nil {
			return err
		}
		attrID, err := id.oid(what + ": attrId")
		if err != nil {
			return err
		}
		if attrID != oidFriendlyName && attrID != oidLocalKeyID {
			continue
		}
		s, err := ait.next()
		if err != nil {
			return err
		}
		vit, err := s.children(tagSet, what+": attrValues")
		if err != nil {
			return err
		}
		if !vit.more() {
			continue
		}
		v, err := vit.next()
		if err != nil {
			return err
		}
		if attrID == oidFriendlyName {
			if bag.FriendlyName, err = v.bmpString(what + ": friendlyName"); err != nil {
				return err
			}
			continue
		}
		id2, err := v.octetString(what + ": localKeyId")
		if err != nil {
			return err
		}
		bag.LocalKeyID = append([]byte(nil), id2...)
	}
	return nil
}
