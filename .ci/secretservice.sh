#!/usr/bin/env bash
# Starts a private Secret Service for the tests of internal/secretstore,
# internal/msalcache and internal/vscode: a D-Bus session bus, an unlocked
# gnome-keyring-daemon on it, and two fixture secrets shaped like the ones
# MSAL and VS Code's Azure Account extension leave behind (PROTOCOL.md 10.1
# and 11.1). It prints only `export NAME=value` lines on stdout, for the
# caller to eval:
#
#   eval "$(bash .ci/secretservice.sh)"
#   AZID_REQUIRE_SECRET_SERVICE=1 go test ./internal/...
#
# Everything it starts lives in a fresh temporary directory (its own keyring
# files, runtime directory and bus), so it never touches a desktop session's
# keyring. Diagnostics go to stderr. Missing Debian packages are installed
# when running as root (as CI does).
set -euo pipefail

say() { printf 'secretservice.sh: %s\n' "$*" >&2; }

packages=()
command -v dbus-daemon >/dev/null 2>&1 || packages+=(dbus)
command -v gnome-keyring-daemon >/dev/null 2>&1 || packages+=(gnome-keyring)
command -v secret-tool >/dev/null 2>&1 || packages+=(libsecret-tools)
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing ${packages[*]} and not root: install them first"
    exit 1
  fi
  say "installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends "${packages[@]}" >&2
fi

base=$(mktemp -d /tmp/azid-secretservice.XXXXXX)
mkdir -p "$base/data" "$base/runtime" "$base/config"
chmod 700 "$base/runtime"
# gnome-keyring keeps its keyring files under XDG_DATA_HOME/keyrings and its
# control socket under XDG_RUNTIME_DIR/keyring: both private to this run.
export XDG_DATA_HOME="$base/data" XDG_RUNTIME_DIR="$base/runtime" XDG_CONFIG_HOME="$base/config"

# A session bus of our own, listening on a socket in the temporary directory.
bus_info=$(dbus-daemon --session --fork --print-address=1 --print-pid=1 \
  --address="unix:path=$base/bus")
DBUS_SESSION_BUS_ADDRESS=$(printf '%s\n' "$bus_info" | sed -n 1p)
DBUS_SESSION_BUS_PID=$(printf '%s\n' "$bus_info" | sed -n 2p)
export DBUS_SESSION_BUS_ADDRESS DBUS_SESSION_BUS_PID
say "session bus at $DBUS_SESSION_BUS_ADDRESS (pid $DBUS_SESSION_BUS_PID)"

# --unlock reads a password on stdin and creates (or unlocks) the "login"
# keyring with it, which becomes the default collection; --daemonize returns
# once the daemon has claimed org.freedesktop.secrets on the bus.
printf 'azid-test-keyring' | gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null

# Wait (up to 5 s) until the Secret Service owns its name on the bus. This
# asks the bus, not the service, so it cannot start a second keyring daemon
# through D-Bus activation.
owned=no
for _ in $(seq 50); do
  if dbus-send --session --dest=org.freedesktop.DBus --print-reply /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    owned=yes
    break
  fi
  sleep 0.1
done
if [ "$owned" != yes ]; then
  say "gnome-keyring-daemon did not claim org.freedesktop.secrets"
  exit 1
fi
say "gnome-keyring-daemon is serving org.freedesktop.secrets"

# Fixture 1: an MSAL unified cache as libsecret stores it for schema
# "msal.cache" (the schema name travels as the xdg:schema attribute), with
# MSAL's attribute and label. Hand-made from PROTOCOL.md 10.2; not a real token.
msal_cache='{"Account":{"uid1.utid1-login.microsoftonline.com-utid1":{"home_account_id":"uid1.utid1","environment":"login.microsoftonline.com","realm":"utid1","local_account_id":"uid1","username":"user@contoso.com","authority_type":"MSSTS"}},"RefreshToken":{"uid1.utid1-login.microsoftonline.com-refreshtoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46--":{"credential_type":"RefreshToken","secret":"fixture-msal-refresh-token","home_account_id":"uid1.utid1","environment":"login.microsoftonline.com","client_id":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","family_id":"1"}}}'
printf '%s' "$msal_cache" | secret-tool store --label=MSALCache \
  xdg:schema msal.cache MsalClientID Microsoft.Developer.IdentityService

# Fixture 2: VS Code's Azure Account refresh token, as keytar stores it
# (schema org.freedesktop.Secret.Generic, service and account attributes).
printf '%s' 'fixture-vscode-refresh-token' | secret-tool store --label='VS Code Azure/AzureCloud' \
  xdg:schema org.freedesktop.Secret.Generic service 'VS Code Azure' account AzureCloud

# Check that both can be read back before telling the tests they are there.
got=$(secret-tool lookup xdg:schema org.freedesktop.Secret.Generic service 'VS Code Azure' account AzureCloud)
if [ "$got" != fixture-vscode-refresh-token ]; then
  say "the fixture secret did not read back"
  exit 1
fi
say "fixtures stored"

printf 'export DBUS_SESSION_BUS_ADDRESS=%q\n' "$DBUS_SESSION_BUS_ADDRESS"
printf 'export DBUS_SESSION_BUS_PID=%q\n' "$DBUS_SESSION_BUS_PID"
printf 'export AZID_SECRET_SERVICE_FIXTURES=1\n'
