#!/bin/sh
# Fake external model that completes the handshake and exits without reading a batch.
read -r greeting
echo "probity-model-protocol 1"
echo "prediction"
exit 0
