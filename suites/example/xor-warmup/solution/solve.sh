python3 - <<'EOF'
data = bytes.fromhex(open("cipher.hex").read().strip())
for key in range(256):
    plain = bytes(b ^ key for b in data)
    if plain.startswith(b"flag{"):
        print(plain.decode())
EOF
