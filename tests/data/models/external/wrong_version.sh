#!/bin/sh
# Fake external model that speaks a future protocol version.
read -r greeting
echo "probity-model-protocol 2"
echo "prediction"
read -r batch
