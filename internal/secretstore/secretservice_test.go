package secretstore

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

const testSecret = "fake-refresh-token-0.AXkAz9"

// msalItem is shaped like the item MSAL keeps its cache in (PROTOCOL.md 10.1).
var msalItem = Item{
	Service: "Microsoft.Developer.IdentityService", Account: "MSALCache",
	Schema: "msal.cache", Attributes: map[string]string{"MsalClientID": "Microsoft.Developer.IdentityService"},
}

func msalAttrs() map[string]string {
	return map[string]string{"xdg:schema": "msal.cache", "MsalClientID": "Microsoft.Developer.IdentityService"}
}

func TestSecretServiceLookup(t *testing.T) {
	const p1, p2 = objectPath("/org/freedesktop/secrets/collection/login/1"), objectPath("/org/freedesktop/secrets/collection/login/2")
	tests := []struct {
		name      string
		setup     func(*fakeBus)
		want      string // the secret; "" when an error is expected
		wantErr   error  // ErrNotFound or ErrUnavailable
		wantIn    string // in the error text
		wantCalls []string
	}{
		{
			name:      "unlocked item",
			setup:     func(b *fakeBus) { b.items[p1] = &fakeItem{attrs: msalAttrs(), secret: []byte(testSecret)} },
			want:      testSecret,
			wantCalls: []string{"Hello", "OpenSession", "SearchItems", "GetSecrets"},
		},
		{
			name: "first of two matches",
			setup: func(b *fakeBus) {
				b.items[p2] = &fakeItem{attrs: msalAttrs(), secret: []byte("second")}
				b.items[p1] = &fakeItem{attrs: msalAttrs(), secret: []byte(testSecret)}
			},
			want: testSecret,
		},
		{
			name: "unlocked item preferred to a locked one",
			setup: func(b *fakeBus) {
				b.items[p1] = &fakeItem{attrs: msalAttrs(), secret: []byte("locked"), locked: true, prompt: true}
				b.items[p2] = &fakeItem{attrs: msalAttrs(), secret: []byte(testSecret)}
			},
			want:      testSecret,
			wantCalls: []string{"Hello", "OpenSession", "SearchItems", "GetSecrets"},
		},
		{
			name: "extra attributes on the item still match",
			setup: func(b *fakeBus) {
				attrs := msalAttrs()
				attrs["Microsoft.Developer.IdentityService"] = "1.0.0.0" // as MSAL.NET adds
				b.items[p1] = &fakeItem{attrs: attrs, secret: []byte(testSecret)}
			},
			want: testSecret,
		},
		{
			name: "locked item unlocked without a prompt",
			setup: func(b *fakeBus) {
				b.items[p1] = &fakeItem{attrs: msalAttrs(), secret: []byte(testSecret), locked: true}
			},
			want:      testSecret,
			wantCalls: []string{"Hello", "OpenSession", "SearchItems", "Unlock", "GetSecrets"},
		},
		{
			name: "locked item that needs a prompt",
			setup: func(b *fakeBus) {
				b.items[p1] = &fakeItem{attrs: msalAttrs(), secret: []byte(testSecret), locked: true, prompt: true}
			},
			wantErr: ErrUnavailable, wantIn: "unlocking it needs a prompt",
			wantCalls: []string{"Hello", "OpenSession", "SearchItems", "Unlock"},
		},
		{
			name:    "no item",
			wantErr: ErrNotFound, wantIn: `xdg:schema="msal.cache"`,
			wantCalls: []string{"Hello", "OpenSession", "SearchItems"},
		},
		{
			name: "item of another schema",
			setup: func(b *fakeBus) {
				attrs := msalAttrs()
				attrs["xdg:schema"] = "msal.cache.nocae"
				b.items[p1] = &fakeItem{attrs: attrs, secret: []byte(testSecret)}
			},
			wantErr: ErrNotFound,
		},
		{
			name:    "no secret service on the bus",
			setup:   func(b *fakeBus) { b.errorOn["OpenSession"] = "org.freedesktop.DBus.Error.ServiceUnknown" },
			wantErr: errNoService, wantIn: "ServiceUnknown: the fake bus says no",
		},
		{
			name:    "service error",
			setup:   func(b *fakeBus) { b.errorOn["SearchItems"] = "org.freedesktop.Secret.Error.IsLocked" },
			wantErr: ErrUnavailable, wantIn: "SearchItems: org.freedesktop.Secret.Error.IsLocked",
		},
		{
			name: "signals and others' replies interleaved",
			setup: func(b *fakeBus) {
				b.signals = 3
				b.items[p1] = &fakeItem{attrs: msalAttrs(), secret: []byte(testSecret)}
			},
			want: testSecret,
		},
		{
			name: "big-endian replies",
			setup: func(b *fakeBus) {
				b.order = binary.BigEndian
				b.items[p1] = &fakeItem{attrs: msalAttrs(), secret: []byte(testSecret)}
			},
			want: testSecret,
		},
		{
			name:    "authentication refused",
			setup:   func(b *fakeBus) { b.authReply = "REJECTED EXTERNAL" },
			wantErr: ErrUnavailable, wantIn: "refused EXTERNAL authentication (REJECTED)",
		},
		{
			name:    "wrong reply signature",
			setup:   func(b *fakeBus) { b.replySig["OpenSession"] = "s" },
			wantErr: ErrUnavailable, wantIn: `OpenSession: reply has signature "s", want "vo"`,
		},
		{
			name: "GetSecrets leaves the item out",
			setup: func(b *fakeBus) {
				b.skipSecret = true
				b.items[p1] = &fakeItem{attrs: msalAttrs(), secret: []byte(testSecret)}
			},
			wantErr: ErrUnavailable, wantIn: "no secret for the item",
		},
		{
			name:    "malformed reply",
			setup:   func(b *fakeBus) { b.garbageOn = "Hello" },
			wantErr: ErrUnavailable, wantIn: "malformed message",
		},
		{
			name: "secret over the limit",
			setup: func(b *fakeBus) {
				b.items[p1] = &fakeItem{attrs: msalAttrs(), secret: make([]byte, MaxSecret+1)}
			},
			wantErr: ErrUnavailable, wantIn: "over",
		},
		{
			name:    "service never answers",
			setup:   func(b *fakeBus) { b.stallOn = "SearchItems" },
			wantErr: os.ErrDeadlineExceeded, wantIn: "secret service: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bus := newFakeBus(t, tt.setup)
			s := &SecretService{Address: bus.address, Timeout: 2 * time.Second}
			if tt.name == "service never answers" {
				s.Timeout = 250 * time.Millisecond
			}
			got, err := s.Lookup(context.Background(), msalItem)
			if tt.wantErr == nil {
				if err != nil || string(got) != tt.want {
					t.Fatalf("Lookup = %.40q, %v; want %q", got, err, tt.want)
				}
			} else {
				if err == nil || !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("Lookup = %.40q, %v; want an error wrapping %v", got, err, tt.wantErr)
				}
				if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrUnavailable) {
					t.Fatalf("error %v wraps neither ErrNotFound nor ErrUnavailable", err)
				}
				if !strings.Contains(err.Error(), tt.wantIn) {
					t.Fatalf("error %q does not say %q", err, tt.wantIn)
				}
				if strings.Contains(err.Error(), testSecret) {
					t.Fatalf("error %q contains the secret", err)
				}
			}
			if tt.wantCalls != nil {
				if calls := bus.called(); !reflect.DeepEqual(calls, tt.wantCalls) {
					t.Fatalf("calls = %v, want %v", calls, tt.wantCalls)
				}
			}
		})
	}
}

func TestSecretServiceCancel(t *testing.T) {
	bus := newFakeBus(t, func(b *fakeBus) {
		b.stallOn = "GetSecrets"
		b.items["/s/1"] = &fakeItem{attrs: msalAttrs(), secret: []byte(testSecret)}
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-bus.stalled // the fake has GetSecrets and will never answer
		cancel()
	}()
	s := &SecretService{Address: bus.address, Timeout: time.Minute}
	_, err := s.Lookup(ctx, msalItem)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Lookup after cancel = %v; want context.Canceled and ErrUnavailable", err)
	}
}

func TestSecretServiceConcurrent(t *testing.T) {
	bus := newFakeBus(t, func(b *fakeBus) {
		b.items["/s/1"] = &fakeItem{attrs: msalAttrs(), secret: []byte(testSecret), locked: true}
	})
	s := &SecretService{Address: bus.address}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := s.Lookup(context.Background(), msalItem); err != nil || string(got) != testSecret {
				t.Errorf("Lookup = %q, %v", got, err)
			}
		}()
	}
	wg.Wait()
}

func TestSecretServiceRefusesBeforeDialing(t *testing.T) {
	tests := []struct {
		name    string
		address string
		item    Item
		wantIn  string
	}{
		{name: "no session bus", address: "", item: msalItem, wantIn: "DBUS_SESSION_BUS_ADDRESS is unset"},
		{name: "no unix socket", address: "tcp:host=localhost,port=1", item: msalItem, wantIn: "no unix socket"},
		{name: "item without attributes", address: "unix:path=/nonexistent", item: Item{Service: "s", Account: "a"}, wantIn: "no attributes"},
		{name: "nothing listening", address: "unix:path=/nonexistent/bus", item: msalItem, wantIn: "connecting to the session bus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := (&SecretService{Address: tt.address}).Lookup(context.Background(), tt.item)
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("Lookup = %v; want ErrUnavailable saying %q", err, tt.wantIn)
			}
		})
	}
}

func TestSocketNames(t *testing.T) {
	tests := []struct {
		address string
		want    []string // nil: error
	}{
		{address: "unix:path=/run/user/1000/bus", want: []string{"/run/user/1000/bus"}},
		{address: "unix:abstract=/tmp/dbus-AbC,guid=0123", want: []string{"@/tmp/dbus-AbC"}},
		{address: "tcp:host=localhost,port=1;unix:path=/b;unix:path=/c", want: []string{"/b", "/c"}},
		{address: "unix:path=/a%20b%2c", want: []string{"/a b,"}},
		{address: "unix:path=/a%2"},
		{address: "unix:path=/a%zz"},
		{address: "unix:tmpdir=/tmp"},
		{address: "autolaunch:"},
		{address: ""},
	}
	for _, tt := range tests {
		got, err := socketNames(tt.address)
		if tt.want == nil {
			if err == nil {
				t.Errorf("socketNames(%q) = %q; want an error", tt.address, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("socketNames(%q) = %q, %v; want %q", tt.address, got, err, tt.want)
		}
	}
}

func TestItemString(t *testing.T) {
	got := msalItem.String()
	want := `service "Microsoft.Developer.IdentityService" account "MSALCache", attributes MsalClientID="Microsoft.Developer.IdentityService" xdg:schema="msal.cache"`
	if got != want {
		t.Fatalf("String() = %s\nwant %s", got, want)
	}
	if got := (Item{}).String(); got != "(unnamed item)" {
		t.Fatalf("empty Item String() = %s", got)
	}
}

// TestErrorNameChecked: an ERROR_NAME that breaks the D-Bus rules for
// names (here 10 KB long, with a line break and a terminal escape) makes the
// reply malformed; the error quotes none of it.
func TestErrorNameChecked(t *testing.T) {
	long := "org.example.Error." + strings.Repeat("A", 10000) + "\n\x1b[2Jforged log line"
	b := newFakeBus(t, func(b *fakeBus) {
		b.items["/org/freedesktop/secrets/collection/login/1"] = &fakeItem{attrs: msalAttrs(), secret: []byte(testSecret)}
		b.errorOn["SearchItems"] = long
	})
	s := &SecretService{Address: b.address}
	_, err := s.Lookup(context.Background(), msalItem)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if len(msg) > 1000 || strings.Contains(msg, "\x1b") || strings.Contains(msg, "\n") || strings.Contains(msg, "AAAA") {
		t.Fatalf("error of %d bytes quotes the peer's error name uncut and unchecked (contains ESC: %v, newline: %v)",
			len(msg), strings.Contains(msg, "\x1b"), strings.Contains(msg, "\n"))
	}
}
