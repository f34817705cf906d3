python3 - <<'EOF'
data = bytes.fromhex(open("cipher.hex").read().strip())
print(next(k for k in range(256) if bytes(b ^ k for b in data).startswith(b"flag{")))
EOF
