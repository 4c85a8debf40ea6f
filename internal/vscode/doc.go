// Package vscode reads what VisualStudioCodeCredential needs from Visual
// Studio Code and its Azure Account extension (spec/PROTOCOL.md 11.1): the
// user settings file and in it azure.cloud and azure.tenant, the authority
// host of the chosen cloud, and the refresh token the extension (up to
// version 0.9.11) kept in the OS secret store under the service
// "VS Code Azure" and the cloud's name. Package identity redeems the token
// with ClientID; nothing here talks to the network or reads the environment
// (SettingsPath takes a getenv function).
//
// settings.json is JSON with comments and trailing commas in practice
// (VS Code's own parser accepts both): ParseSettings removes // and /* */
// comments outside strings and commas before a closing } or ], then parses
// the result strictly as a JSON object. Only the flat keys "azure.cloud" and
// "azure.tenant" are read, as azure-identity reads them.
//
// # Security considerations
//
// settings.json may hold other extensions' secrets, so no error quotes it:
// JSON errors give a byte offset only. The refresh token never appears in an
// error, a String or a log record; RefreshToken zeroes the store's copy.
// Files are read through an io.LimitReader of MaxSettingsSize. Everything
// here is safe for concurrent use.
package vscode
