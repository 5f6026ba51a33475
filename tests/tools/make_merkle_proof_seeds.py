#!/usr/bin/python3
"""Writes the seed corpus of tests/fuzz/merkle_proof_fuzzer.cc from a few conformance vectors
in tests/data/merkle (transparency-dev/merkle, Apache-2.0). Run from the repository root:
    /usr/bin/python3 tests/tools/make_merkle_proof_seeds.py
Layout (see the fuzzer): flags byte, two little-endian uint64, then length-prefixed hashes
(leaf hash or old root, root or new root, proof...). Flag 8 also exercises generation."""
import base64
import json
import struct

SRC = 'tests/data/merkle'
OUT = 'tests/fuzz/corpus/merkle_proof'
PICKS = [
    'inclusion/1/happy-path.json', 'inclusion/4/happy-path.json',
    'inclusion/4/trailing-garbage.json', 'inclusion/single-entry/empty-root-and-leaf.json',
    'consistency/1/happy-path.json', 'consistency/4/happy-path.json',
    'consistency/2/truncated-proof.json',
    'consistency/additional/sizes-are-equal-one-and-proof-is-empty.json',
]

for pick in PICKS:
    with open(f'{SRC}/{pick}') as f:
        v = json.load(f)
    if 'leafIdx' in v:
        flags, a, b = 0, v['leafIdx'], v['treeSize']
        hashes = [v['leafHash'], v['root']] + (v['proof'] or [])
    else:
        flags, a, b = 1, v['size1'], v['size2']
        hashes = [v['root1'], v['root2']] + (v['proof'] or [])
    body = b''.join(bytes([len(h)]) + h for h in map(base64.b64decode, hashes))
    name = pick.replace('/', '_').replace('.json', '.bin')
    with open(f'{OUT}/{name}', 'wb') as f:
        f.write(bytes([flags | 8]) + struct.pack('<QQ', a, b) + body)
