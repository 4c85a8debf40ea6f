package oauth2

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// ClientInfo is Entra ID's client_info: the user's object ID and home tenant
// (spec/PROTOCOL.md 2.12).
type ClientInfo struct {
	UID  string `json:"uid"`
	UTID string `json:"utid"`
}

// HomeAccountID is uid + "." + utid, MSAL's home account id.
func (ci ClientInfo) HomeAccountID() string { return ci.UID + "." + ci.UTID }

// ErrInvalidClientInfo is returned by ParseClientInfo for anything but
// base64url JSON with a non-empty uid and utid.
var ErrInvalidClientInfo = errors.New("oauth2: client_info is not base64url JSON with uid and utid")

// ParseClientInfo decodes client_info: base64url (spec/PROTOCOL.md 2.12;
// padding tolerated) of {"uid":"...","utid":"..."}.
func ParseClientInfo(s string) (ClientInfo, error) {
	if s == "" || len(s) > maxClientInfo {
		return ClientInfo{}, ErrInvalidClientInfo
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return ClientInfo{}, ErrInvalidClientInfo
	}
	var ci ClientInfo
	if err := json.Unmarshal(raw, &ci); err != nil || ci.UID == "" || ci.UTID == "" {
		return ClientInfo{}, ErrInvalidClientInfo
	}
	return ci, nil
}
