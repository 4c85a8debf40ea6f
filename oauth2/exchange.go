package oauth2

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/azid-go/azid/internal/send"
)

// exchange is one logical request to the authority: sent once, retried per
// Client.Retry, and answered with the last response.
type exchange struct {
	what    string // for logs and errors: the grant type or "instance discovery"
	method  string // http.MethodPost or http.MethodGet
	url     string
	form    string   // the encoded form for POST; the same bytes on every try
	secrets []string // values scrubbed from server text quoted in errors
}

// answer is the final response of an exchange.
type answer struct {
	resp      *send.Response
	url       *url.URL  // the endpoint; send.Where(url) names it in errors
	requestID string    // client-request-id sent on every try
	sent      time.Time // when the try that got resp started
}

// do sends x, retrying on the statuses spec/PROTOCOL.md 1.5 gives for the
// Go SDK: on 408, 429, 500, 502, 503 and 504 and on transport errors (the
// delay before retry n is (2^n - 1) * Retry.Delay with jitter, capped at
// Retry.MaxDelay, as the Go SDK waits: 0.8, 2.4, 5.6 s by default); never on other
// statuses (a 400 or 401 answer is final whatever its headers say), never
// after the context ends, and not when the server asks for a longer wait
// than Retry.MaxDelay. Every try sends the same form; an assertion is
// fetched once per call, not per try.
func (c *Client) do(ctx context.Context, x *exchange) (answer, error) {
	if c.HTTP == nil {
		return answer{}, invalid("Client has no HTTP client")
	}
	retries, base, maxDelay := c.retry()
	// No redirects: a 307 would carry the form, secrets and all, to another
	// URL, and a 302 would turn the request into a GET that anyone could
	// answer. The caller's client is copied, so its transport and
	// connections are shared but its CheckRedirect is not changed.
	hc := *c.HTTP
	hc.CheckRedirect = refuseRedirect
	id := newRequestID()
	for try := 0; ; try++ {
		tctx, cancel := tryContext(ctx, &hc)
		req, err := c.newRequest(tctx, x, id)
		if err != nil {
			cancel()
			return answer{}, err
		}
		sent := c.nowTime()
		c.logTry(ctx, x, req, id, try)
		resp, err := send.Do(&hc, req)
		cancel()
		var delay time.Duration
		switch {
		case err != nil && ctx.Err() != nil:
			return answer{}, ctxError(ctx, x, err)
		case err != nil:
			if try >= retries || !retryableTransport(err) {
				return answer{}, fmt.Errorf("oauth2: %s: %w", x.what, err)
			}
			delay = jitter(send.Backoff(try+1, base, maxDelay), maxDelay)
			c.logRetry(ctx, x, id, try, 0, err, delay)
		default:
			a := answer{resp: resp, url: req.URL, requestID: id, sent: sent}
			c.logAnswer(ctx, x, a, try)
			if try >= retries || !retryableStatus(resp.StatusCode) {
				return a, nil
			}
			d, asked := send.RetryAfter(resp.Header, c.nowTime())
			if asked && d > maxDelay {
				// spec/PROTOCOL.md 1.5 (GO): "when that server-requested
				// delay exceeds the maximum delay, retrying stops and the
				// last response is returned".
				return a, nil
			}
			delay = d
			if !asked {
				delay = jitter(send.Backoff(try+1, base, maxDelay), maxDelay)
			}
			c.logRetry(ctx, x, id, try, resp.StatusCode, nil, delay)
		}
		if err := c.sleepFor(ctx, delay); err != nil {
			return answer{}, ctxError(ctx, x, err)
		}
	}
}

// tryContext bounds one try by MaxTryTime when neither ctx nor the HTTP
// client sets a limit of its own.
func tryContext(ctx context.Context, hc *http.Client) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || hc.Timeout > 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, MaxTryTime)
}

// ctxError reports that ctx ended during x; errors.Is(err, ctx.Err()) holds.
func ctxError(ctx context.Context, x *exchange, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("oauth2: %s: %w", x.what, cerr)
	}
	return fmt.Errorf("oauth2: %s: %w", x.what, err)
}

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// retryableStatus: the Go SDK's list (spec/PROTOCOL.md 1.5). Unlike
// azure-core, a Retry-After header does not make another status retryable:
// 400 and 401 token errors are final (spec/PROTOCOL.md 2.14).
func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableTransport: connection failures are retried; an oversized body and
// a certificate the client does not trust are not, as a second try would
// meet the same answer.
func retryableTransport(err error) bool {
	var (
		unknownCA  x509.UnknownAuthorityError
		invalidC   x509.CertificateInvalidError
		hostname   x509.HostnameError
		verify     *tls.CertificateVerificationError
		recordHdr  tls.RecordHeaderError
		alertError tls.AlertError
	)
	// net/http reports an http:// server at an https URL with an untyped
	// error (net/http/transport.go); like a TLS failure, it is permanent.
	if strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return false
	}
	switch {
	case errors.Is(err, send.ErrBodyTooLarge),
		errors.As(err, &unknownCA), errors.As(err, &invalidC), errors.As(err, &hostname),
		errors.As(err, &verify), errors.As(err, &recordHdr), errors.As(err, &alertError):
		return false
	}
	return true
}

// jitter multiplies d by a factor uniformly in [0.8, 1.3), as the Go SDK
// does (spec/PROTOCOL.md 1.5), and caps the result at max.
func jitter(d, max time.Duration) time.Duration {
	f := 0.8 + 0.5*mrand.Float64()
	j := time.Duration(float64(d) * f)
	if j > max || j < 0 {
		return max
	}
	return j
}

// newRequest builds one try of x. The headers follow spec/PROTOCOL.md 1.5's
// recommendation for azid: User-Agent, client-request-id and
// x-ms-client-request-id (the same UUID) and return-client-request-id: false.
func (c *Client) newRequest(ctx context.Context, x *exchange, id string) (*http.Request, error) {
	var body io.Reader
	if x.method == http.MethodPost {
		body = strings.NewReader(x.form)
	}
	req, err := http.NewRequestWithContext(ctx, x.method, x.url, body)
	if err != nil {
		return nil, invalid("%s: endpoint URL does not parse", x.what)
	}
	if req.URL.Scheme != "https" || req.URL.Host == "" {
		return nil, invalid("%s: endpoint must be an https URL with a host", x.what)
	}
	// One backing array for all header values: one allocation, not six.
	v := [...]string{"application/x-www-form-urlencoded; charset=utf-8", c.userAgent(), id, "false", "application/json"}
	h := req.Header
	if x.method == http.MethodPost {
		h["Content-Type"] = v[0:1:1]
	}
	h["User-Agent"] = v[1:2:2]
	h["Client-Request-Id"] = v[2:3:3]
	h["X-Ms-Client-Request-Id"] = v[2:3:3]
	h["Return-Client-Request-Id"] = v[3:4:4]
	h["Accept"] = v[4:5:5]
	return req, nil
}

// newRequestID is a random (version 4) UUID, RFC 9562, Section 5.4.
func newRequestID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms; a fixed ID is
		// only a worse correlation ID, never a security problem.
		return "00000000-0000-4000-8000-000000000000"
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexDigits = "0123456789abcdef"
	var s [36]byte
	j := 0
	for i, v := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hexDigits[v>>4], hexDigits[v&0x0f]
		j += 2
	}
	return string(s[:])
}

func (c *Client) logTry(ctx context.Context, x *exchange, req *http.Request, id string, try int) {
	if c.Logger == nil || !c.Logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	c.Logger.LogAttrs(ctx, slog.LevelDebug, "oauth2: sending request",
		slog.String("request", x.what), slog.String("method", x.method),
		slog.String("endpoint", send.Where(req.URL)), slog.Int("try", try+1),
		slog.String("client_request_id", id))
}

func (c *Client) logAnswer(ctx context.Context, x *exchange, a answer, try int) {
	if c.Logger == nil || !c.Logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	c.Logger.LogAttrs(ctx, slog.LevelDebug, "oauth2: response",
		slog.String("request", x.what), slog.String("endpoint", send.Where(a.url)),
		slog.Int("try", try+1), slog.Int("status", a.resp.StatusCode),
		slog.Int("body_bytes", len(a.resp.Body)), slog.String("client_request_id", a.requestID))
}

func (c *Client) logRetry(ctx context.Context, x *exchange, id string, try, status int, err error, delay time.Duration) {
	if c.Logger == nil || !c.Logger.Enabled(ctx, slog.LevelWarn) {
		return
	}
	attrs := []slog.Attr{
		slog.String("request", x.what), slog.Int("try", try+1),
		slog.Duration("delay", delay), slog.String("client_request_id", id),
	}
	if err != nil {
		// Transport errors from send.Do name method, host and path only.
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		attrs = append(attrs, slog.Int("status", status))
	}
	c.Logger.LogAttrs(ctx, slog.LevelWarn, "oauth2: retrying", attrs...)
}
