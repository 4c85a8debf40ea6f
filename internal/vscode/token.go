package vscode

import (
	"context"
	"errors"
	"fmt"

	"github.com/azid-go/azid/internal/secretstore"
)

// ClientID is VS Code's public client, which redeems the extension's
// refresh token (spec/PROTOCOL.md 11.1 and 16).
const ClientID = "aebc6443-996d-45c2-90f0-388ff96faa56"

// ErrNoToken reports that the secret store holds no refresh token for the
// cloud: the Azure Account extension stores one only up to version 0.9.11.
var ErrNoToken = errors.New("vscode: no refresh token from the Azure Account extension (only versions up to 0.9.11 store one)")

// Where the extension's keytar kept the token (spec/PROTOCOL.md 11.1).
const (
	tokenService  = "VS Code Azure"
	genericSchema = "org.freedesktop.Secret.Generic"
)

// TokenItem names the refresh token of cloud in the OS secret stores:
// service "VS Code Azure" and account cloud (the Keychain; on Windows the
// generic credential "VS Code Azure/<cloud>"), and on Linux the libsecret
// schema org.freedesktop.Secret.Generic with the attributes service and
// account.
func TokenItem(cloud string) secretstore.Item {
	return secretstore.Item{
		Service: tokenService, Account: cloud, Schema: genericSchema,
		Attributes: map[string]string{"service": tokenService, "account": cloud},
	}
}

// RefreshToken returns the refresh token of cloud from store. It fails
// with an error wrapping ErrNoToken when there is none, and with the
// store's error otherwise (wrapping secretstore.ErrUnavailable). A stored
// value that cannot be a refresh token (empty, over MaxTokenSize, or with
// bytes outside printable ASCII) is an error that does not quote it.
func RefreshToken(ctx context.Context, store secretstore.Store, cloud string) (string, error) {
	secret, err := store.Lookup(ctx, TokenItem(cloud))
	if errors.Is(err, secretstore.ErrNotFound) {
		return "", fmt.Errorf("%w: %w", ErrNoToken, err)
	}
	if err != nil {
		return "", fmt.Errorf("vscode: reading the refresh token: %w", err)
	}
	defer clear(secret)
	if len(secret) == 0 || len(secret) > MaxTokenSize {
		return "", fmt.Errorf("vscode: the stored refresh token for %s is empty or over %d bytes", cloud, MaxTokenSize)
	}
	for _, c := range secret {
		if c <= ' ' || c > '~' {
			return "", fmt.Errorf("vscode: the stored refresh token for %s has bytes a token cannot have", cloud)
		}
	}
	return string(secret), nil
}
