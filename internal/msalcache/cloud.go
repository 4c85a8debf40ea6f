package msalcache

import "strings"

// Hosts that name the same cloud, for matching cache entries
// (spec/PROTOCOL.md 1.1: "Aliases recognised for the same cloud (used for
// cache matching, section 10)").
var clouds = [][]string{
	{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"},
	{"login.chinacloudapi.cn", "login.partner.microsoftonline.cn"},
	{"login.microsoftonline.us", "login.usgovcloudapi.net"},
}

// cloudAliases returns the hosts of the cloud of authority, a host or an
// https URL; a host of no known cloud is its own only alias. Empty means the
// public cloud.
func cloudAliases(authority string) []string {
	host := strings.ToLower(strings.TrimSpace(authority))
	host = strings.TrimPrefix(host, "https://")
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if host == "" {
		return clouds[0]
	}
	for _, c := range clouds {
		for _, h := range c {
			if h == host {
				return c
			}
		}
	}
	return []string{host}
}

// inCloud reports whether the environment of an entry is one of aliases.
// Hosts compare without regard to case.
func inCloud(environment string, aliases []string) bool {
	for _, h := range aliases {
		if strings.EqualFold(environment, h) {
			return true
		}
	}
	return false
}
