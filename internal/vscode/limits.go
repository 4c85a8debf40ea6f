package vscode

// MaxSettingsSize is the largest settings.json read: 4 MiB. Settings files
// run to kilobytes; a few users keep long word lists in them. Reading more
// would let a planted file exhaust memory.
const MaxSettingsSize = 4 << 20

// MaxTokenSize is the longest refresh token accepted from the secret store:
// 64 KiB. Entra refresh tokens are one to two kilobytes.
const MaxTokenSize = 64 << 10
