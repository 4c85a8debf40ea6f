package pkcs12

import "hash"

// Purpose bytes of the RFC 7292 Appendix B.3 KDF ("ID").
const (
	purposeKey = 1
	purposeIV  = 2
	purposeMAC = 3
)

// blocks returns how many outputs of size u cover n bytes.
func blocks(n, u int) int { return (n + u - 1) / u }

// deriveKey is the key derivation function of RFC 7292, Appendix B.2, with
// hash H (output u bytes, block v bytes), purpose ID, the password already
// in the form the caller chose (normally a BMPString with its two zero
// bytes), salt, r iterations and n output bytes. The caller has checked r
// against the limits.
func deriveKey(h func() hash.Hash, id byte, password, salt []byte, r, n int) []byte {
	d := h()
	u, v := d.Size(), d.BlockSize()

	// Step 1: "Construct a string, D (the "diversifier"), by concatenating
	// v/8 copies of ID."
	diversifier := make([]byte, v)
	for i := range diversifier {
		diversifier[i] = id
	}
	// Steps 2-4: S and P are v*ceil(len/v) bytes of repeated salt and
	// password (empty when the input is empty); I = S || P.
	in := append(repeatTo(salt, v), repeatTo(password, v)...)
	defer wipe(in)

	c := blocks(n, u) // step 5
	out := make([]byte, 0, c*u)
	a := make([]byte, 0, u)
	b := make([]byte, v)
	defer wipe(b)
	for i := 0; i < c; i++ {
		// Step 6A: A_i = H^r(D || I).
		d.Reset()
		d.Write(diversifier)
		d.Write(in)
		a = d.Sum(a[:0])
		for j := 1; j < r; j++ {
			d.Reset()
			d.Write(a)
			a = d.Sum(a[:0])
		}
		out = append(out, a...)
		if i == c-1 {
			break
		}
		// Step 6B: "Concatenate copies of A_i to create a string B of
		// length v bits (the final copy of A_i may be truncated)."
		for k := range b {
			b[k] = a[k%u]
		}
		// Step 6C: each v-byte block I_j of I becomes
		// (I_j + B + 1) mod 2^v, big-endian.
		for j := 0; j < len(in); j += v {
			carry := uint16(1)
			for k := v - 1; k >= 0; k-- {
				sum := uint16(in[j+k]) + uint16(b[k]) + carry
				in[j+k] = byte(sum)
				carry = sum >> 8
			}
		}
	}
	wipe(a)
	return out[:n]
}

// repeatTo returns copies of s filling v*ceil(len(s)/v) bytes, the last copy
// truncated (RFC 7292, Appendix B.2 steps 2 and 3).
func repeatTo(s []byte, v int) []byte {
	if len(s) == 0 {
		return nil
	}
	out := make([]byte, v*blocks(len(s), v))
	for i := range out {
		out[i] = s[i%len(s)]
	}
	return out
}

// wipe overwrites b with zeros.
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
