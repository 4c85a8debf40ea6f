// Package secretstore reads secrets where MSAL and VS Code's Azure Account
// extension keep them (spec/PROTOCOL.md 10.1 and 11.1): the freedesktop.org
// Secret Service on Linux and the BSDs, the Keychain on macOS, Credential
// Manager and DPAPI on Windows. It only reads; it never creates, changes or
// deletes a secret.
//
// The Secret Service client is written here on the standard library: a
// D-Bus client over the session bus's unix socket (D-Bus Specification,
// https://dbus.freedesktop.org/doc/dbus-specification.html: address
// parsing, SASL EXTERNAL authentication, Hello, method calls) with its own
// marshaller for the types it needs (y b n q i u x t d h s o g a v ( ) { }),
// and the Secret Service API calls OpenSession("plain"), SearchItems, Unlock
// and GetSecrets (https://specifications.freedesktop.org/secret-service/).
// The Keychain is read by running /usr/bin/security; Windows through
// crypt32.dll and advapi32.dll with the syscall package.
//
// Reading order for reviewers: store.go (the API), secretservice.go,
// bus.go, message.go, marshal.go, unmarshal.go, signature.go; then
// keychain.go and the _windows.go files.
//
// # Security considerations
//
// Secrets come back as byte slices the caller owns; the buffers this package
// read them into (D-Bus messages, the output of security, the memory Windows
// allocated) are zeroed once copied, as far as Go allows (a bytes.Buffer that
// grew leaves its earlier arrays to the garbage collector). No error contains a
// secret: errors name the store, the item (its service, account and
// attributes, which are not secret) and the cause; text quoted from the
// other side (a D-Bus error message, security's stderr) is cut to 200
// bytes. Every message and output is bounded (MaxSecret, maxMessage), every
// D-Bus call and every run of security has a timeout (DefaultTimeout, or the
// context's deadline when earlier), and nothing here ever asks a person
// anything: an item that only a prompt could unlock is unavailable.
//
// The session bus is trusted to route replies (it refuses replies nobody
// asked for). The "plain" session is used: the secret travels only over the
// user's own unix socket from a process of the same user, against whom the
// Secret Service's encrypted algorithm protects nothing more, and which
// would need Diffie-Hellman and AES code here.
//
// Everything here is safe for concurrent use; each Lookup has its own
// connection or process.
package secretstore
