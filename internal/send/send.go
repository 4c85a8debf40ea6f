// Package send performs one bounded HTTP exchange and holds what package
// oauth2 and package imds share around it: the retry arithmetic (the delay
// a server asks for, Retry-After and its millisecond variants, and
// exponential backoff) and BodyTokens, the tokens a response carries, which
// they mask in errors.
//
// It never retries by itself and never reads the environment. Errors name the
// method, host and path of the request but never its query string, headers or
// body, so secrets in any of those cannot reach an error. Response bodies are
// read up to MaxBody bytes and no further; a larger body is an error, not a
// truncation.
// Everything here is safe for concurrent use.
package send

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"time"
)

// MaxBody is the largest response body read from any endpoint: 1 MiB. A
// token response is a few kilobytes; anything near this is not a token
// response, and reading it whole would let a hostile endpoint exhaust memory.
const MaxBody = 1 << 20

// ErrBodyTooLarge is returned when a response body exceeds MaxBody.
var ErrBodyTooLarge = errors.New("response body exceeds 1 MiB")

// Response is a response whose body has been read whole and closed.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Do sends req with client, reads at most MaxBody bytes of the body and
// closes it. The connection is reused when the body was read to its end.
// Transport errors are reported as "METHOD host/path: cause", without the
// query string.
func Do(client *http.Client, req *http.Request) (*Response, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, Where(req.URL), cause(err))
	}
	defer resp.Body.Close()
	body, err := readBody(resp.Body, resp.ContentLength)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading response: %w", req.Method, Where(req.URL), cause(err))
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// readBody reads r to its end, at most MaxBody bytes: one more is
// ErrBodyTooLarge. size is the Content-Length, or -1: when it is known and
// within MaxBody the buffer is made that size plus the one byte that sees
// the end, so the body is read in one allocation; size is a hint only, and a
// body longer than it grows the buffer as an unknown size would, up to
// MaxBody.
func readBody(r io.Reader, size int64) ([]byte, error) {
	n := 512
	if size >= 0 && size < MaxBody {
		n = int(size) + 1
	}
	b := make([]byte, 0, n)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
		m, err := r.Read(b[len(b):min(cap(b), MaxBody+1)])
		b = b[:len(b)+m]
		if len(b) > MaxBody {
			return nil, ErrBodyTooLarge
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// Where is the host and path of u, the form every error in azid uses to name
// an endpoint: no scheme, user info, query or fragment.
func Where(u *url.URL) string {
	if u == nil {
		return "(no URL)"
	}
	return u.Host + u.EscapedPath()
}

// ErrMalformedResponse replaces net/http's error for a response it could not
// parse, whose text quotes the offending line: a server's header line can
// echo a request header, the bearer token included.
var ErrMalformedResponse = errors.New("the response is malformed (not quoted: it may repeat the request)")

// cause strips the *url.Error wrapper, whose text repeats the whole URL with
// its query string, and keeps what it wraps; a textproto.ProtocolError,
// which quotes the server's text, is ErrMalformedResponse.
func cause(err error) error {
	var pe textproto.ProtocolError
	if errors.As(err, &pe) {
		return ErrMalformedResponse
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// RetryAfter returns the delay the server asked for, from (in order of
// precedence) "retry-after-ms", "x-ms-retry-after-ms" (milliseconds) or
// "Retry-After" (RFC 9110, Section 10.2.3: delay-seconds or an HTTP-date,
// taken relative to now). ok is false when no header holds a usable value.
// Negative values and dates in the past are read as zero.
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	for _, name := range [...]string{"Retry-After-Ms", "X-Ms-Retry-After-Ms"} {
		if v := h.Get(name); v != "" {
			if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
				// Bounded both ways before the multiplication, which
				// would overflow for a huge value of either sign.
				ms = max(0, min(ms, maxSeconds*1000))
				return time.Duration(ms) * time.Millisecond, true
			}
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		s = max(0, min(s, maxSeconds))
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return clamp(t.Sub(now)), true
	}
	return 0, false
}

// maxSeconds keeps a huge Retry-After from overflowing time.Duration; callers
// cap the delay far below this anyway.
const maxSeconds = 1 << 30

func clamp(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// Backoff is the delay before retry n (n = 1 for the first retry):
// (2^n - 1) * base, capped at max, as azcore computes it (PROTOCOL.md 1.5,
// GO: "delay for try n = (2^n - 1) * base * jitter"): base, 3 base, 7 base,
// and so on. Callers add jitter where they want it.
func Backoff(n int, base, max time.Duration) time.Duration {
	if n < 1 {
		return 0
	}
	d := base // (2^i - 1) * base for i = 1, 2, ..., n
	for i := 1; i < n; i++ {
		d = 2*d + base
		if d >= max || d <= 0 {
			return max
		}
	}
	if d > max {
		return max
	}
	return d
}

// Sleep waits for d or until ctx ends, whichever comes first, and returns
// ctx.Err() in the second case. It is the default sleeper of every retry
// loop; tests replace it with one that advances a fake clock.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// BodyTokens returns the string values of the token members (access_token,
// refresh_token, id_token) of a JSON object body, or nil. A response that
// is an error but carries a token anyway must not get that token into an
// error text: callers mask these values as they mask the request's
// secrets (PROTOCOL.md 2.14: "Mask access_token / refresh_token values
// before any message or log").
func BodyTokens(body []byte) []string {
	var f struct {
		AccessToken  any `json:"access_token"`
		RefreshToken any `json:"refresh_token"`
		IDToken      any `json:"id_token"`
	}
	if json.Unmarshal(body, &f) != nil {
		return nil
	}
	var out []string
	for _, v := range [...]any{f.AccessToken, f.RefreshToken, f.IDToken} {
		if s, ok := v.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}
