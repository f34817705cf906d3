"""Licence key checker. Usage: python3 check.py KEY"""
import sys

EXPECTED = [114, 115, 125, 140, 113, 92, 80, 79, 107, 61, 74, 28, 63, 53, 13, 43, 23, 50, 255, 9, 247, 243, 207, 211, 215, 222, 223, 196, 179, 201, 190, 188, 171]


def scramble(key):
    return [((c ^ ((i * 7 + 3) & 0xFF)) + 13) % 256 for i, c in enumerate(key.encode())]


if __name__ == "__main__":
    key = sys.argv[1] if len(sys.argv) > 1 else ""
    print("valid licence" if scramble(key) == EXPECTED else "invalid licence")
