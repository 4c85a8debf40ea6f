package pkcs12

import (
	"crypto/hmac"
	"encoding/binary"
	"hash"
)

// pbkdf2 is PBKDF2 of RFC 8018, Section 5.2, with HMAC over h as the PRF. The
// caller has checked iter and keyLen against the limits, so keyLen is far
// below RFC 8018's "(2^32 - 1) * hLen" bound.
func pbkdf2(h func() hash.Hash, password, salt []byte, iter, keyLen int) []byte {
	prf := hmac.New(h, password)
	hLen := prf.Size()
	l := blocks(keyLen, hLen) // step 2: l = CEIL(dkLen / hLen)
	out := make([]byte, 0, l*hLen)
	u := make([]byte, 0, hLen)
	t := make([]byte, hLen)
	var index [4]byte
	for i := 1; i <= l; i++ {
		// Step 3: T_i = U_1 xor ... xor U_c, U_1 = PRF(P, S || INT(i)),
		// INT(i) "a four-octet encoding of the integer i, most significant
		// octet first", U_j = PRF(P, U_{j-1}).
		binary.BigEndian.PutUint32(index[:], uint32(i))
		prf.Reset()
		prf.Write(salt)
		prf.Write(index[:])
		u = prf.Sum(u[:0])
		copy(t, u)
		for j := 2; j <= iter; j++ {
			prf.Reset()
			prf.Write(u)
			u = prf.Sum(u[:0])
			for k := range t {
				t[k] ^= u[k]
			}
		}
		out = append(out, t...) // step 4: DK = T_1 || ... || T_l<0..r-1>
	}
	wipe(u)
	wipe(t)
	return out[:keyLen]
}
