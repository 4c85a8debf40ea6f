package imds

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fakeFile is a regular file for the injected stat.
type fakeFile struct{}

func (fakeFile) Name() string       { return "himds" }
func (fakeFile) Size() int64        { return 1 }
func (fakeFile) Mode() fs.FileMode  { return 0o755 }
func (fakeFile) ModTime() time.Time { return time.Time{} }
func (fakeFile) IsDir() bool        { return false }
func (fakeFile) Sys() any           { return nil }

func noFile(string) (fs.FileInfo, error) { return nil, os.ErrNotExist }

func TestDetect(t *testing.T) {
	const ep = "http://127.0.0.1:41741/MSI/token/"
	tests := []struct {
		name  string
		env   []string
		himds bool
		want  SourceKind
	}{
		{"nothing", nil, false, IMDS},
		{"pod identity", []string{envPodIdentityHost, "http://10.0.0.1"}, false, IMDS},
		{"App Service", []string{envIdentityEndpoint, ep, envIdentityHeader, "h"}, false, AppService},
		{"Service Fabric", []string{envIdentityEndpoint, ep, envIdentityHeader, "h", envThumbprint, "t"}, false, ServiceFabric},
		{"Azure ML", []string{envMSIEndpoint, ep, envMSISecret, "s"}, false, AzureML},
		{"Cloud Shell", []string{envMSIEndpoint, ep}, false, CloudShell},
		{"Arc by variables", []string{envIdentityEndpoint, ep, envIMDSEndpoint, "http://localhost:40342"}, false, AzureArc},
		{"Arc by HIMDS", nil, true, AzureArc},
		{"App Service before Azure ML", []string{envIdentityEndpoint, ep, envIdentityHeader, "h", envMSIEndpoint, ep, envMSISecret, "s"}, false, AppService},
		{"Azure ML before Arc", []string{envMSIEndpoint, ep, envMSISecret, "s", envIdentityEndpoint, ep, envIMDSEndpoint, "x"}, false, AzureML},
		{"Cloud Shell before HIMDS", []string{envMSIEndpoint, ep}, true, CloudShell},
		{"IDENTITY_ENDPOINT alone", []string{envIdentityEndpoint, ep}, false, IMDS},
		{"empty values are unset", []string{envIdentityEndpoint, "", envIdentityHeader, "h", envMSIEndpoint, ""}, false, IMDS},
		{"thumbprint without endpoint", []string{envThumbprint, "t", envIdentityHeader, "h"}, false, IMDS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stat := noFile
			if tt.himds {
				if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
					t.Skip("the HIMDS agent exists only on Linux and Windows")
				}
				stat = func(path string) (fs.FileInfo, error) {
					if path == "/opt/azcmagent/bin/himds" || strings.HasSuffix(path, `AzureConnectedMachineAgent\himds.exe`) {
						return fakeFile{}, nil
					}
					return nil, os.ErrNotExist
				}
			}
			if got := detect(envOf(append(tt.env, envProgramData, `C:\ProgramData`)...), stat); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	appService := envOf(envIdentityEndpoint, "http://127.0.0.1:41741/", envIdentityHeader, "h")
	tests := []struct {
		name   string
		cfg    Config
		source SourceKind
		reason string
	}{
		{"system-assigned with a value", Config{ID: ID{SystemAssigned, "x"}}, IMDS, "a system-assigned ID takes no value"},
		{"empty client ID", Config{ID: ID{ClientID, ""}}, IMDS, "empty client ID"},
		{"unknown kind", Config{ID: ID{IDKind(9), "x"}}, IMDS, "unknown ID kind 9"},
		{"control character in ID", Config{ID: ID{ObjectID, "a\nb"}}, IMDS, "object ID contains a control character"},
		{"oversized ID", Config{ID: ID{ResourceID, strings.Repeat("r", maxInput+1)}}, IMDS, "resource ID is 2049 bytes"},
		{"App Service endpoint not a URL", Config{Getenv: envOf(envIdentityEndpoint, "http://[::1", envIdentityHeader, "h")}, AppService, "IDENTITY_ENDPOINT is not a URL"},
		{"App Service endpoint without host", Config{Getenv: envOf(envIdentityEndpoint, "http:///x", envIdentityHeader, "h")}, AppService, "has no host"},
		{"App Service endpoint with a fragment", Config{Getenv: envOf(envIdentityEndpoint, "http://h/#f", envIdentityHeader, "h")}, AppService, "must not have a fragment"},
		{"App Service bad query", Config{Getenv: envOf(envIdentityEndpoint, "http://h/?a=%zz", envIdentityHeader, "h")}, AppService, "malformed query string"},
		{"Cloud Shell file URL", Config{Getenv: envOf(envMSIEndpoint, "file:///etc/passwd")}, CloudShell, "must be an http or https URL"},
		{"custom RoundTripper is fine outside Service Fabric", Config{Getenv: appService, HTTPClient: &http.Client{Transport: roundTripper{}}}, AppService, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Source != tt.source || !strings.Contains(e.Message, tt.reason) || e.Unavailable {
				t.Fatalf("got %v, want a %s *Error saying %q", err, tt.source, tt.reason)
			}
		})
	}
}

func TestTokenBadInput(t *testing.T) {
	s := mustNew(t, Config{})
	ctx := context.Background()
	for _, resource := range []string{"", "a\x00b", strings.Repeat("r", maxInput+1)} {
		_, err := s.Token(ctx, resource)
		if e := asError(t, err); e.Source != IMDS || e.Unavailable {
			t.Errorf("resource %q: got %v", resource, err)
		}
	}
	var none context.Context
	if _, err := s.Token(none, testResource); err == nil {
		t.Error("a nil context gave no error")
	}
	var zero Source
	if _, err := zero.Token(ctx, testResource); err == nil {
		t.Error("a zero Source gave no error")
	}
	if err := (*Source)(nil).Probe(ctx); err == nil {
		t.Error("a nil Source probed")
	}
	if (*Source)(nil).Kind() != "" || (*Source)(nil).Endpoint() != "" || (*Source)(nil).String() != "imds.Source(nil)" {
		t.Error("a nil Source's accessors")
	}
}
