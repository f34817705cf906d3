"""Our in-house stream cipher. The seed is secret, so this must be secure."""
import sys

MODULUS = 1 << 24


def keystream(seed, length):
    state = seed
    for _ in range(length):
        state = (1103515245 * state + 12345) % MODULUS
        yield state >> 16


def encrypt(seed, plaintext):
    return bytes(p ^ k for p, k in zip(plaintext, keystream(seed, len(plaintext))))


if __name__ == "__main__":
    seed = int(sys.argv[1])
    print(encrypt(seed, sys.stdin.buffer.read().strip()).hex())
