#!/bin/sh
# Fake external model that completes the handshake, then dies of SIGSEGV on the first
# batch.
read -r greeting
echo "probity-model-protocol 1"
echo "prediction"
read -r batch
kill -SEGV $$
