python3 - <<'EOF'
data = bytes.fromhex(open("ciphertext.hex").read().strip())
known = bytes(a ^ b for a, b in zip(data, b"flag{"))
def stream(state, n):
    for _ in range(n):
        yield state >> 16
        state = (1103515245 * state + 12345) % (1 << 24)
for low in range(1 << 16):
    state = (known[0] << 16) | low
    if bytes(stream(state, 5)) == known:
        print(bytes(c ^ k for c, k in zip(data, stream(state, len(data)))).decode())
        break
EOF
