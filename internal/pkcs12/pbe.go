package pkcs12

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
	"fmt"
	"hash"
)

// Decoder decodes with a lower iteration cap than MaxIterations, for callers
// that read untrusted files and would rather refuse than spend the time. The
// zero value uses the limits of limits.go. A Decoder is a value; it is safe
// for concurrent use.
type Decoder struct {
	// MaxIterations caps the iteration count of each key derivation, and
	// ten times it the iterations summed over one call. Zero, or a value
	// above MaxIterations, means MaxIterations.
	MaxIterations int
}

// decoder holds the state of one call: the password forms and the work
// budget left.
type decoder struct {
	maxIter int64
	budget  int64
	// raw is the password as given: PBES1, PBES2, PBMAC1 (not a copy).
	raw []byte
	// forms are the BMPString forms for the Appendix B KDF, in the order
	// to try; once a MAC has verified, only the form that verified it.
	forms [][]byte
	// bagCount counts SafeBags against MaxBags.
	bagCount int
}

func (dec Decoder) start(password []byte) *decoder {
	n := int64(dec.MaxIterations)
	if n <= 0 || n > MaxIterations {
		n = MaxIterations
	}
	return &decoder{maxIter: n, budget: workFactor * n, raw: password, forms: bmpForms(password)}
}

// wipe overwrites the password copies.
func (d *decoder) wipe() {
	for _, f := range d.forms {
		wipe(f)
	}
}

// spend charges one derivation of iter iterations producing n hash blocks
// against the limits, before any hashing.
func (d *decoder) spend(iter int64, n int) error {
	if iter < 1 {
		return malformed("iteration count %d is not positive", iter)
	}
	if iter > d.maxIter {
		return fmt.Errorf("%w: iteration count %d exceeds %d", ErrLimit, iter, d.maxIter)
	}
	cost := iter * int64(n)
	if cost > d.budget {
		return fmt.Errorf("%w: key derivations in this file need more than %d iterations in total", ErrLimit, workFactor*d.maxIter)
	}
	d.budget -= cost
	return nil
}

// decrypt undoes the password-based encryption alg over ciphertext. what
// names the object for errors. The plaintext must be one DER SEQUENCE
// (SafeContents and PrivateKeyInfo both are); anything else, like bad
// padding, means a wrong password and is ErrIncorrectPassword.
func (d *decoder) decrypt(alg algorithm, ciphertext []byte, what string) ([]byte, error) {
	switch alg.oid {
	case oidPBES2:
		return d.pbes2(alg, ciphertext, what)
	case oidPBEWithMD5AndDESCBC, oidPBEWithSHA1AndDESCBC, oidPBEWithMD5AndRC2CBC, oidPBEWithSHA1AndRC2CBC:
		return d.pbes1(alg, ciphertext, what)
	case oidPBEWithSHAAnd128BitRC4, oidPBEWithSHAAnd40BitRC4,
		oidPBEWithSHAAnd3KeyTripleDESCBC, oidPBEWithSHAAnd2KeyTripleDESCBC,
		oidPBEWithSHAAnd128BitRC2CBC, oidPBEWithSHAAnd40BitRC2CBC:
		return d.pkcs12PBE(alg, ciphertext, what)
	}
	return nil, unsupported(what+": encryption", alg.oid)
}

// pkcs12PBE decrypts with a scheme of RFC 7292, Appendix C: key and IV come
// from the Appendix B KDF with SHA-1 over each BMPString form of the
// password in turn.
func (d *decoder) pkcs12PBE(alg algorithm, ciphertext []byte, what string) ([]byte, error) {
	// Appendix C: pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING,
	// iterations INTEGER }
	salt, iter, err := pbeParams(alg, what)
	if err != nil {
		return nil, err
	}
	var keyLen, ivLen int
	switch alg.oid {
	case oidPBEWithSHAAnd128BitRC4:
		keyLen = 16
	case oidPBEWithSHAAnd40BitRC4:
		keyLen = 5
	case oidPBEWithSHAAnd3KeyTripleDESCBC:
		keyLen, ivLen = 24, des.BlockSize
	case oidPBEWithSHAAnd2KeyTripleDESCBC:
		keyLen, ivLen = 16, des.BlockSize
	case oidPBEWithSHAAnd128BitRC2CBC:
		keyLen, ivLen = 16, rc2BlockSize
	case oidPBEWithSHAAnd40BitRC2CBC:
		keyLen, ivLen = 5, rc2BlockSize
	}
	if ivLen != 0 && len(ciphertext)%ivLen != 0 {
		return nil, malformed("%s: ciphertext is not a whole number of blocks", what)
	}
	for i, form := range d.forms {
		n := blocks(keyLen, sha1.Size) + blocks(ivLen, sha1.Size)
		if err := d.spend(iter, n); err != nil {
			return nil, err
		}
		key := deriveKey(sha1.New, purposeKey, form, salt, int(iter), keyLen)
		var plain []byte
		var ok bool
		if ivLen == 0 {
			plain, ok = rc4Decrypt(key, ciphertext)
		} else {
			iv := deriveKey(sha1.New, purposeIV, form, salt, int(iter), ivLen)
			plain, ok = cbcDecrypt(pkcs12Block(alg.oid, key), iv, ciphertext)
			wipe(iv)
		}
		wipe(key)
		if ok && isSequence(plain) {
			if i > 0 { // keep the form that worked first for the next object
				d.forms[0], d.forms[i] = d.forms[i], d.forms[0]
			}
			return plain, nil
		}
		wipe(plain)
	}
	return nil, wrongPassword(what + ": decryption failed")
}

// pkcs12Block builds the block cipher of a CBC scheme of RFC 7292,
// Appendix C, from a key of the right length.
func pkcs12Block(oid string, key []byte) cipher.Block {
	switch oid {
	case oidPBEWithSHAAnd3KeyTripleDESCBC:
		b, _ := des.NewTripleDESCipher(key) // 24 bytes: cannot fail
		return b
	case oidPBEWithSHAAnd2KeyTripleDESCBC:
		// Two-key triple DES is three-key with K3 = K1.
		k := make([]byte, 0, 24)
		k = append(append(k, key...), key[:8]...)
		b, _ := des.NewTripleDESCipher(k)
		wipe(k)
		return b
	case oidPBEWithSHAAnd128BitRC2CBC:
		return newRC2(key, 128)
	default: // oidPBEWithSHAAnd40BitRC2CBC: a 5-byte key, T1 = 40
		return newRC2(key, 40)
	}
}

// pbes1 decrypts with PBES1 (RFC 8018, Section 6.1): PBKDF1 with MD5 or SHA-1
// over the password as given, then DES-CBC or RC2-CBC (64 effective bits,
// RFC 8018 Appendix B.2.2's default) with K = DK<0..7>, IV = DK<8..15>.
func (d *decoder) pbes1(alg algorithm, ciphertext []byte, what string) ([]byte, error) {
	// RFC 8018, Appendix A.3: PBEParameter ::= SEQUENCE {
	// salt OCTET STRING (SIZE(8)), iterationCount INTEGER }
	salt, iter, err := pbeParams(alg, what)
	if err != nil {
		return nil, err
	}
	if len(salt) != 8 {
		return nil, malformed("%s: PBES1 salt is not 8 bytes", what)
	}
	if len(ciphertext)%8 != 0 {
		return nil, malformed("%s: ciphertext is not a whole number of blocks", what)
	}
	h := sha1.New
	if alg.oid == oidPBEWithMD5AndDESCBC || alg.oid == oidPBEWithMD5AndRC2CBC {
		h = md5.New
	}
	if err := d.spend(iter, 1); err != nil {
		return nil, err
	}
	dk := pbkdf1(h, d.raw, salt, int(iter))
	defer wipe(dk)
	var block cipher.Block
	if alg.oid == oidPBEWithMD5AndDESCBC || alg.oid == oidPBEWithSHA1AndDESCBC {
		block, _ = des.NewCipher(dk[:8]) // 8 bytes: cannot fail
	} else {
		block = newRC2(dk[:8], 64)
	}
	plain, ok := cbcDecrypt(block, dk[8:16], ciphertext)
	return checked(plain, ok, what)
}

// pbkdf1 is PBKDF1 of RFC 8018, Section 5.1, with a 16-byte output:
// T_1 = Hash(P || S), T_i = Hash(T_{i-1}), DK = T_c<0..15>.
func pbkdf1(h func() hash.Hash, password, salt []byte, iter int) []byte {
	d := h()
	d.Write(password)
	d.Write(salt)
	t := d.Sum(nil)
	for i := 1; i < iter; i++ {
		d.Reset()
		d.Write(t)
		t = d.Sum(t[:0])
	}
	return t[:16]
}

// pbeParams reads the SEQUENCE { salt OCTET STRING, iterations INTEGER }
// shared by PBES1 (RFC 8018, Appendix A.3) and the PKCS #12 schemes (RFC
// 7292, Appendix C).
func pbeParams(alg algorithm, what string) ([]byte, int64, error) {
	if !alg.hasParams {
		return nil, 0, malformed("%s: missing PBE parameters", what)
	}
	it, err := alg.params.children(tagSequence, what+": PBE parameters")
	if err != nil {
		return nil, 0, err
	}
	s, err := it.next()
	if err != nil {
		return nil, 0, err
	}
	salt, err := s.octetString(what + ": salt")
	if err != nil {
		return nil, 0, err
	}
	n, err := it.next()
	if err != nil {
		return nil, 0, err
	}
	iter, err := n.integer(what + ": iterations")
	if err != nil {
		return nil, 0, err
	}
	return salt, iter, nil
}

// pbkdf2Params is PBKDF2-params of RFC 8018, Appendix A.2.
type pbkdf2Params struct {
	salt   []byte
	iter   int64
	keyLen int // 0 when absent
	prf    func() hash.Hash
}

// parsePBKDF2 reads the parameters of a PBKDF2 AlgorithmIdentifier:
//
//	PBKDF2-params ::= SEQUENCE {
//	  salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier },
//	  iterationCount INTEGER (1..MAX),
//	  keyLength INTEGER (1..MAX) OPTIONAL,
//	  prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }
func parsePBKDF2(kdf algorithm, what string) (pbkdf2Params, error) {
	if kdf.oid != oidPBKDF2 {
		return pbkdf2Params{}, unsupported(what+": key derivation", kdf.oid)
	}
	if !kdf.hasParams {
		return pbkdf2Params{}, malformed("%s: missing PBKDF2 parameters", what)
	}
	it, err := kdf.params.children(tagSequence, what+": PBKDF2 parameters")
	if err != nil {
		return pbkdf2Params{}, err
	}
	p := pbkdf2Params{prf: hmacs[oidHMACWithSHA1]}
	s, err := it.next()
	if err != nil {
		return pbkdf2Params{}, err
	}
	if !s.is(classUniversal, tagOctetString) {
		// RFC 8018, Appendix A.2: otherSource "is reserved for future
		// versions".
		return pbkdf2Params{}, malformed("%s: PBKDF2 salt is not an OCTET STRING", what)
	}
	if p.salt, err = s.octets(); err != nil {
		return pbkdf2Params{}, err
	}
	n, err := it.next()
	if err != nil {
		return pbkdf2Params{}, err
	}
	if p.iter, err = n.integer(what + ": PBKDF2 iterationCount"); err != nil {
		return pbkdf2Params{}, err
	}
	if it.peekIs(classUniversal, tagInteger) {
		k, _ := it.next()
		l, err := k.integer(what + ": PBKDF2 keyLength")
		if err != nil {
			return pbkdf2Params{}, err
		}
		if l < 1 || l > maxKeyLength {
			return pbkdf2Params{}, malformed("%s: PBKDF2 keyLength %d is out of range", what, l)
		}
		p.keyLen = int(l)
	}
	if it.more() {
		e, _ := it.next()
		prf, err := parseAlgorithm(e, what+": PBKDF2 prf")
		if err != nil {
			return pbkdf2Params{}, err
		}
		h, ok := hmacs[prf.oid]
		if !ok {
			return pbkdf2Params{}, unsupported(what+": PBKDF2 PRF", prf.oid)
		}
		p.prf = h
	}
	return p, nil
}

// derive runs PBKDF2 over password for keyLen bytes, charging the work.
func (d *decoder) derive(p pbkdf2Params, password []byte, keyLen int) ([]byte, error) {
	if err := d.spend(p.iter, blocks(keyLen, p.prf().Size())); err != nil {
		return nil, err
	}
	return pbkdf2(p.prf, password, p.salt, int(p.iter), keyLen), nil
}

// pbes2 decrypts with PBES2 (RFC 8018, Section 6.2) over the password as
// given (spec/PROTOCOL.md 14.5: no BMPString conversion).
func (d *decoder) pbes2(alg algorithm, ciphertext []byte, what string) ([]byte, error) {
	// RFC 8018, Appendix A.4: PBES2-params ::= SEQUENCE {
	// keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier }
	if !alg.hasParams {
		return nil, malformed("%s: missing PBES2 parameters", what)
	}
	it, err := alg.params.children(tagSequence, what+": PBES2 parameters")
	if err != nil {
		return nil, err
	}
	e, err := it.next()
	if err != nil {
		return nil, err
	}
	kdfAlg, err := parseAlgorithm(e, what+": PBES2 keyDerivationFunc")
	if err != nil {
		return nil, err
	}
	if e, err = it.next(); err != nil {
		return nil, err
	}
	enc, err := parseAlgorithm(e, what+": PBES2 encryptionScheme")
	if err != nil {
		return nil, err
	}
	var keyLen int
	newBlock := func(k []byte) (cipher.Block, error) { return aes.NewCipher(k) }
	switch enc.oid {
	case oidAES128CBC:
		keyLen = 16
	case oidAES192CBC:
		keyLen = 24
	case oidAES256CBC:
		keyLen = 32
	case oidDESEDE3CBC:
		keyLen, newBlock = 24, des.NewTripleDESCipher
	case oidDESCBC:
		keyLen, newBlock = 8, des.NewCipher
	default:
		return nil, unsupported(what+": PBES2 encryption scheme", enc.oid)
	}
	// RFC 8018, Appendix B.2: each CBC scheme's parameter is the IV, an
	// OCTET STRING of one block.
	if !enc.hasParams {
		return nil, malformed("%s: missing IV", what)
	}
	iv, err := enc.params.octetString(what + ": IV")
	if err != nil {
		return nil, err
	}
	blockSize := aes.BlockSize
	if enc.oid == oidDESEDE3CBC || enc.oid == oidDESCBC {
		blockSize = des.BlockSize
	}
	if len(iv) != blockSize {
		return nil, malformed("%s: IV is %d bytes, not %d", what, len(iv), blockSize)
	}
	if len(ciphertext)%blockSize != 0 {
		return nil, malformed("%s: ciphertext is not a whole number of blocks", what)
	}
	p, err := parsePBKDF2(kdfAlg, what)
	if err != nil {
		return nil, err
	}
	if p.keyLen != 0 && p.keyLen != keyLen {
		return nil, malformed("%s: PBKDF2 keyLength %d does not fit the cipher", what, p.keyLen)
	}
	key, err := d.derive(p, d.raw, keyLen)
	if err != nil {
		return nil, err
	}
	block, err := newBlock(key)
	wipe(key)
	if err != nil {
		return nil, malformed("%s: %v", what, err)
	}
	plain, ok := cbcDecrypt(block, iv, ciphertext)
	return checked(plain, ok, what)
}

// checked returns a decryption's plaintext, or ErrIncorrectPassword unless
// it decrypted with good padding to one DER SEQUENCE.
func checked(plain []byte, ok bool, what string) ([]byte, error) {
	if ok && isSequence(plain) {
		return plain, nil
	}
	wipe(plain)
	return nil, wrongPassword(what + ": decryption failed")
}

// cbcDecrypt decrypts CBC ciphertext into a new buffer and strips the
// padding of RFC 8018, Section 6.1.1 step 4 (RFC 5652, Section 6.3: "each
// of the padding octets shall be k"). ok is false when the padding is bad.
func cbcDecrypt(block cipher.Block, iv, ciphertext []byte) ([]byte, bool) {
	bs := block.BlockSize()
	if len(ciphertext) == 0 || len(ciphertext)%bs != 0 || len(iv) != bs {
		return nil, false
	}
	out := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, ciphertext)
	k := int(out[len(out)-1])
	if k == 0 || k > bs {
		wipe(out)
		return nil, false
	}
	for _, c := range out[len(out)-k:] {
		if int(c) != k {
			wipe(out)
			return nil, false
		}
	}
	return out[:len(out)-k], true
}

// rc4Decrypt decrypts with RC4 (a stream cipher: no padding to check).
func rc4Decrypt(key, ciphertext []byte) ([]byte, bool) {
	c, err := rc4.NewCipher(key)
	if err != nil {
		return nil, false
	}
	out := make([]byte, len(ciphertext))
	c.XORKeyStream(out, ciphertext)
	return out, true
}

// isSequence reports whether b is exactly one well-formed SEQUENCE.
func isSequence(b []byte) bool {
	e, rest, err := parseElement(b, 0)
	return err == nil && len(rest) == 0 && e.is(classUniversal, tagSequence) && e.constructed
}
