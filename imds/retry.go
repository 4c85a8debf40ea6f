package imds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/azid-go/azid/internal/send"
)

// policy is a source's retry rule.
type policy struct {
	retries   int           // retries after the first request
	base, max time.Duration // send.Backoff's base and cap
	imds      bool          // the IMDS status list and its 410 rule apply
	off       bool          // Config.MaxRetries < 0: one request, no retries
}

// newPolicy returns the rule for kind, with maxRetries as in
// Config.MaxRetries.
func newPolicy(kind SourceKind, maxRetries int) policy {
	p := policy{retries: localRetries, base: localRetryBase, max: localRetryMax}
	if kind == IMDS {
		p = policy{retries: imdsRetries, base: imdsRetryBase, max: imdsRetryMax, imds: true}
	}
	switch {
	case maxRetries < 0:
		p.retries, p.off = 0, true
	case maxRetries > 0:
		p.retries = min(maxRetries, maxAttempts-1)
	}
	return p
}

// retryable reports whether a response with status is worth another try.
func (p policy) retryable(status int) bool {
	if p.imds {
		// PROTOCOL.md 7.3 (PY): "retried statuses 404, 410, 429 and
		// 500-599"; "404 = IMDS still starting/upgrading, 410 = upgrading
		// [...], 429 = throttled, 5xx transient; 400 and 403 are not retried."
		return status == http.StatusNotFound || status == http.StatusGone ||
			status == http.StatusTooManyRequests || (status >= 500 && status <= 599)
	}
	// PROTOCOL.md 1.5 (GO, azcore defaults, used by every other source per
	// 7.2): "statuses 408, 429, 500, 502, 503, 504".
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// next decides whether retry n (1 for the first retry) follows a failed
// try and how long to wait before it. resp is nil when the try got no
// response, and err then says why; waited is the time already spent
// waiting in this exchange.
func (p policy) next(n int, resp *send.Response, err error, waited time.Duration, now time.Time) (time.Duration, bool) {
	if p.off || n >= maxAttempts || errors.Is(err, errPinMismatch) {
		return 0, false
	}
	d := send.Backoff(n, p.base, p.max)
	if resp == nil {
		// No response: IMDS may still be starting (PROTOCOL.md 7.3), and
		// azcore retries transport failures too (1.5).
		return d, n <= p.retries
	}
	if !p.retryable(resp.StatusCode) {
		return 0, false
	}
	if ra, ok := send.RetryAfter(resp.Header, now); ok {
		if ra > maxRetryAfter {
			// PROTOCOL.md 1.5 (GO): "when that server-requested delay
			// exceeds the maximum delay, retrying stops".
			return 0, false
		}
		d = ra
	}
	if p.imds && resp.StatusCode == http.StatusGone {
		// PROTOCOL.md 7.3: "410 = upgrading (retry for at least 70 s)".
		// The backoff is a floor here, so that Retry-After: 0 cannot
		// reach maxAttempts before 70 s have passed.
		d = max(d, send.Backoff(n, p.base, p.max))
		return d, n <= p.retries || waited < goneMinimum
	}
	return d, n <= p.retries
}

// exchange sends the request build makes, and again as s.retry says. Each
// try has its own context, limited to tryTimeout, which is cancelled only
// after send.Do has read the body whole. It returns the last response and
// the time its request went out; err is set when the last try got no
// response or the wait before a retry was cut short (then resp is the
// response before it, if any).
func (s *Source) exchange(ctx context.Context, build func(context.Context) (*http.Request, error)) (resp *send.Response, sent time.Time, err error) {
	var waited time.Duration
	for n := 1; ; n++ {
		sent = s.now()
		tctx, cancel := context.WithTimeout(ctx, tryTimeout)
		req, berr := build(tctx)
		if berr != nil {
			cancel()
			return nil, sent, berr
		}
		resp, err = send.Do(s.client, req)
		cancel()
		if err != nil && ctx.Err() != nil {
			return nil, sent, err // the caller gave up; send.Do's error wraps ctx.Err()
		}
		d, again := s.retry.next(n, resp, err, waited, s.now())
		if !again {
			return resp, sent, err
		}
		if serr := s.sleep(ctx, d); serr != nil {
			return resp, sent, fmt.Errorf("waiting %v to retry: %w", d, serr)
		}
		waited += d
	}
}
