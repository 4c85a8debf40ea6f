package imds

import "time"

// Every bound this package puts on time, retries and input, each with its
// reason. Response bodies are bounded by send.MaxBody (1 MiB).

const (
	// imdsRetries, imdsRetryBase and imdsRetryMax are the IMDS retry
	// defaults: PROTOCOL.md 7.3 (GO): "max retries 6, base delay 2 s, max
	// delay 25 s". With send.Backoff the waits are 2, 6, 14, 25, 25, 25 s
	// (PROTOCOL.md's "expected waits"), 97 s in all, which covers IMDS's
	// 70 s upgrade window.
	imdsRetries   = 6
	imdsRetryBase = 2 * time.Second
	imdsRetryMax  = 25 * time.Second

	// localRetries, localRetryBase and localRetryMax are the defaults of
	// every other source: PROTOCOL.md 7.2, GO uses the azcore defaults of
	// 1.5 there ("3 retries, base delay 0.8 s, maximum delay 60 s").
	localRetries   = 3
	localRetryBase = 800 * time.Millisecond
	localRetryMax  = 60 * time.Second

	// goneMinimum is how long, in simulated or real waiting, a 410 from
	// IMDS is retried whatever MaxRetries says. PROTOCOL.md 7.3:
	// "410 = upgrading (retry for at least 70 s)".
	goneMinimum = 70 * time.Second

	// maxAttempts stops any retry loop, the 410 rule included, after this
	// many requests, so that a server answering "Retry-After: 0" forever
	// cannot keep a caller spinning.
	maxAttempts = 20

	// maxRetryAfter is the longest server-requested delay honoured. A
	// longer one ends the retries and returns the response as an error,
	// as GO does when the delay exceeds its maximum (PROTOCOL.md 1.5).
	maxRetryAfter = 60 * time.Second

	// tryTimeout bounds each request, headers and body: PROTOCOL.md 1.5,
	// GO "per-try timeout 1 minute" for IMDS. The caller's context can
	// only shorten it.
	tryTimeout = time.Minute

	// dialTimeout bounds the TCP connect and the TLS handshake of the
	// transport made when http.DefaultTransport is not an *http.Transport
	// (its own values are 30 s and 10 s). The endpoints are on the host or
	// link-local, so a connection either comes at once or not at all.
	dialTimeout = 10 * time.Second

	// probeTimeout bounds Probe: PROTOCOL.md 16, "IMDS probe timeout 1 s".
	probeTimeout = time.Second

	// maxArcKey is the largest Azure Arc key file read: PROTOCOL.md 7.5,
	// "size <= 4096 bytes" in PY and MGO.
	maxArcKey = 4096

	// maxMessage caps the text quoted from a service's error body in
	// Error.Message: enough for an IMDS or App Service message, too little
	// for a server to smuggle a body into logs.
	maxMessage = 256

	// maxQuoted caps a wire value quoted in a parse error (an expires_on
	// that is not a date, a realm path): these are not secrets, but they
	// come from the server.
	maxQuoted = 64

	// maxInput bounds a resource, an identity value and a realm path. An
	// ARM resource id is a few hundred bytes; nothing here needs more.
	maxInput = 2048

	// maxTokenType bounds token_type; "Bearer" is what every source sends.
	maxTokenType = 32

	// maxUnixSeconds is 9999-12-31T23:59:59Z, the latest expires_on
	// accepted: beyond it the number is not a time.
	maxUnixSeconds = 253402300799

	// maxLifetime bounds expires_in and refresh_in in seconds (ten years).
	// Managed identity tokens live about a day (PROTOCOL.md 7.3); a larger
	// number is a broken response, and this also keeps the duration
	// arithmetic far from overflow.
	maxLifetime = 10 * 366 * 24 * 3600
)
