package certs

import "github.com/azid-go/azid/internal/pkcs12"

// MaxInputSize is the largest PEM or PKCS #12 input read: 1 MiB, the limit
// of package pkcs12. A key with a chain of ten certificates is under 20 KiB
// in PEM; a CA bundle of 150 certificates appended is about 250 KiB.
const MaxInputSize = pkcs12.MaxInputSize

// MaxCertificates is the most certificates one input may hold: 100. A chain
// is one to five certificates; the credential may send them all in the x5c
// header, which Entra ID would refuse long before a hundred, and each costs
// a certificate parse here.
const MaxCertificates = 100
