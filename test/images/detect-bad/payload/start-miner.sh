#!/bin/sh
# Test fixture for Cerana's malware detector: looks like a miner launcher, runs nothing
# (there is no xmrig binary, and pool.example does not resolve).
exec ./xmrig --donate-level 1 -o stratum+tcp://pool.example:3333 -u 4Aabcdefghijkmnopqrstuvwxyz123456789abcdefghijkmnopqrstuvwxyz123456789abcdefghijkmnopqrstuvwxyz -p x
