package vscode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/azid-go/azid/internal/localfile"
)

// ErrMalformed reports a settings file that is not a JSON object (after
// comments and trailing commas are removed) or whose Azure settings are not
// strings.
var ErrMalformed = errors.New("vscode: malformed settings")

// Defaults when settings.json does not say (spec/PROTOCOL.md 11.1).
const (
	DefaultCloud  = "AzureCloud"
	DefaultTenant = "organizations"
)

// Settings are the user settings the credential uses.
type Settings struct {
	Cloud  string // "azure.cloud", DefaultCloud when unset or empty
	Tenant string // "azure.tenant", DefaultTenant when unset or empty
}

// DefaultSettings are the settings of a user who set nothing.
var DefaultSettings = Settings{Cloud: DefaultCloud, Tenant: DefaultTenant}

// SettingsPath is where VS Code keeps the user settings on goos
// (spec/PROTOCOL.md 11.1): %APPDATA%\Code\User\settings.json on Windows,
// $HOME/Library/Application Support/Code/User/settings.json on macOS and
// $HOME/.config/Code/User/settings.json elsewhere. It is empty when the
// variable is unset. getenv is os.Getenv in production.
func SettingsPath(goos string, getenv func(string) string) string {
	switch goos {
	case "windows":
		if dir := getenv("APPDATA"); dir != "" {
			return dir + `\Code\User\settings.json`
		}
		return ""
	case "darwin":
		if home := getenv("HOME"); home != "" {
			return home + "/Library/Application Support/Code/User/settings.json"
		}
		return ""
	}
	if home := getenv("HOME"); home != "" {
		return home + "/.config/Code/User/settings.json"
	}
	return ""
}

// LoadSettings reads the settings file at path. A missing file (or an
// empty path) is DefaultSettings without an error; an unreadable or
// malformed one is an error, which azure-identity's behaviour ("a
// missing/broken file means no settings") turns into DefaultSettings.
func LoadSettings(path string) (Settings, error) {
	if path == "" {
		return DefaultSettings, nil
	}
	// localfile: a named pipe there would block the read for ever.
	data, err := localfile.Read(path, MaxSettingsSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return DefaultSettings, nil
	case errors.Is(err, localfile.ErrTooLarge), errors.Is(err, localfile.ErrNotRegular):
		return Settings{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	case err != nil:
		return Settings{}, fmt.Errorf("vscode: %w", err)
	}
	s, err := ParseSettings(data)
	if err != nil {
		return Settings{}, fmt.Errorf("%w (%s)", err, path)
	}
	return s, nil
}

// ParseSettings reads azure.cloud and azure.tenant from the text of a
// settings.json. Text that is empty once comments are gone is no settings.
func ParseSettings(data []byte) (Settings, error) {
	if len(data) > MaxSettingsSize {
		return Settings{}, fmt.Errorf("%w: larger than %d bytes", ErrMalformed, MaxSettingsSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	clean, err := stripJSONC(data)
	if err != nil {
		return Settings{}, err
	}
	trimmed := bytes.TrimSpace(clean)
	if len(trimmed) == 0 {
		return DefaultSettings, nil
	}
	if trimmed[0] != '{' {
		return Settings{}, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(clean, &m); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return Settings{}, fmt.Errorf("%w: invalid JSON at byte %d", ErrMalformed, syntax.Offset)
		}
		return Settings{}, fmt.Errorf("%w: invalid JSON", ErrMalformed)
	}
	s := DefaultSettings
	for _, f := range []struct {
		key   string
		field *string
	}{{"azure.cloud", &s.Cloud}, {"azure.tenant", &s.Tenant}} {
		key, field := f.key, f.field
		raw, ok := m[key]
		if !ok || string(raw) == "null" {
			continue
		}
		var v string
		if raw[0] != '"' || json.Unmarshal(raw, &v) != nil {
			return Settings{}, fmt.Errorf("%w: %s is not a string", ErrMalformed, key)
		}
		if v != "" {
			*field = v
		}
	}
	return s, nil
}

// stripJSONC turns JSON with comments and trailing commas into JSON: each
// comment outside a string becomes spaces (its line breaks kept, so byte
// offsets still point into the original), then each comma outside a string
// that is followed only by white space before a } or ] becomes a space.
func stripJSONC(data []byte) ([]byte, error) {
	out := append([]byte(nil), data...)
	inString := false
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case inString:
			if c == '\\' {
				i++ // the escaped byte cannot end the string
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '/' && i+1 < len(out) && out[i+1] == '/':
			for ; i < len(out) && out[i] != '\n'; i++ {
				out[i] = ' '
			}
		case c == '/' && i+1 < len(out) && out[i+1] == '*':
			start := i
			end := bytes.Index(out[i+2:], []byte("*/"))
			if end < 0 {
				return nil, fmt.Errorf("%w: comment at byte %d is not closed", ErrMalformed, start)
			}
			for stop := i + 2 + end + 2; i < stop; i++ {
				if out[i] != '\n' {
					out[i] = ' '
				}
			}
			i--
		}
	}
	inString = false
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == ',':
			j := i + 1
			for j < len(out) && (out[j] == ' ' || out[j] == '\t' || out[j] == '\n' || out[j] == '\r') {
				j++
			}
			if j < len(out) && (out[j] == '}' || out[j] == ']') {
				out[i] = ' '
			}
		}
	}
	return out, nil
}
