#!/usr/bin/env bash
# Makes a throw-away, self-signed code-signing certificate in DIR
# (cert.pem, key.pem), valid for two days, for CI to exercise the signing
# step of scripts/dist.sh: CI signs with it and verifies, so the step cannot
# rot. Never use it for a release (docs/release.md).
#
# usage: scripts/throwaway-cert.sh DIR
set -euo pipefail
dir=${1:?usage: throwaway-cert.sh DIR}
openssl req -x509 -newkey rsa:3072 -nodes -days 2 \
	-subj "/CN=traycheck throw-away CI signing (not a release key)" \
	-addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
chmod 600 "$dir/key.pem"
