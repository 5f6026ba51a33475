#!/bin/sh
# Fake external model that completes the handshake, then never answers (argv[1] =
# "handshake": never answers the handshake either).
read -r greeting
if [ "$1" != handshake ]; then
  echo "probity-model-protocol 1"
  echo "prediction"
fi
sleep 30
