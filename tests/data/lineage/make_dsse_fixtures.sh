#!/bin/sh
# Makes openssl_signed_envelope.json: a DSSE envelope whose signature was made by the openssl
# command line (not by Probity), over PAE bytes built here with printf, with the RFC 8032 §7.1
# TEST 1 Ed25519 key (a published test key; its secret is in the RFC). Ed25519 is
# deterministic, so rerunning gives the same file. Run from this directory with OpenSSL 3.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# PKCS#8 wrapping of the RFC 8032 TEST 1 secret key: hex 302e020100300506032b657004220420
# (RFC 8410 §7 prefix) followed by 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60.
printf '%s' 'MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g' | base64 -d > "$tmp/key.der"
openssl pkey -inform DER -in "$tmp/key.der" -out "$tmp/key.pem"
type='application/vnd.in-toto+json'
payload='{"_type":"https://in-toto.io/Statement/v1","predicate":{},"predicateType":"https://probity.dev/attestation/evaluation/v1","subject":[{"digest":{"sha256":"7127432f1ffff5b25875ce4e287c9dfa458655ad1b6183a2d274c061bf9e4b1b"},"name":"model.json"}]}'
printf 'DSSEv1 %d %s %d %s' "${#type}" "$type" "${#payload}" "$payload" > "$tmp/pae.bin"
openssl pkeyutl -sign -inkey "$tmp/key.pem" -rawin -in "$tmp/pae.bin" -out "$tmp/sig.bin"
printf '{"payload":"%s","payloadType":"%s","signatures":[{"sig":"%s"}]}\n' \
  "$(printf '%s' "$payload" | base64 -w0)" "$type" "$(base64 -w0 < "$tmp/sig.bin")" \
  > openssl_signed_envelope.json
