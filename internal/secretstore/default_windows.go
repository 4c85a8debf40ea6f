package secretstore

// Default returns the secret store of this system: on Windows, Credential
// Manager. getenv is not consulted here; it is a parameter so that callers
// stay the same on every system.
func Default(getenv func(string) string) Store {
	return credentialManager{}
}
