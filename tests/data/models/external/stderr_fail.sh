#!/bin/sh
# Fake external model that completes the handshake, then explains on stderr why it
# cannot score and exits with status 1 (as a Python traceback would).
read -r greeting
echo "probity-model-protocol 1"
echo "prediction"
read -r batch
echo "Traceback (most recent call last):" >&2
echo "ValueError: model file is corrupt" >&2
exit 1
