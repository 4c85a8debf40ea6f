package vscode

import (
	"errors"
	"fmt"
)

// ErrCustomCloud reports an azure.cloud without a known authority host
// (AzureCustomCloud, or any name not below): the caller must name the
// authority itself (spec/PROTOCOL.md 11.1: "a custom cloud without an
// explicit authority -> unavailable").
var ErrCustomCloud = errors.New("vscode: VS Code is configured to use a custom cloud")

// authorityHosts maps azure.cloud values to authority hosts
// (spec/PROTOCOL.md 11.1 and 1.1).
var authorityHosts = map[string]string{
	"AzureCloud":        "https://login.microsoftonline.com/",
	"AzureChinaCloud":   "https://login.chinacloudapi.cn/",
	"AzureGermanCloud":  "https://login.microsoftonline.de/",
	"AzureUSGovernment": "https://login.microsoftonline.us/",
}

// AuthorityHost returns the authority host of a VS Code cloud name, as an
// https URL with a trailing slash. Names are case-sensitive, as VS Code
// writes them.
func AuthorityHost(cloud string) (string, error) {
	if host, ok := authorityHosts[cloud]; ok {
		return host, nil
	}
	return "", fmt.Errorf("%w %q: set the authority host of that cloud explicitly", ErrCustomCloud, cloud)
}
