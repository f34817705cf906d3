"""Encrypts the flag with a secret one-byte key (the key and the flag are not here)."""
import sys

key = int(sys.argv[1])
flag = sys.stdin.buffer.read().strip()
print(bytes(b ^ key for b in flag).hex())
