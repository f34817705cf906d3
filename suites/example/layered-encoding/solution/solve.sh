python3 - <<'EOF'
import base64, codecs
text = "".join(open("message.txt").read().split())
hexed = base64.b64decode(text).decode()[::-1]
print(codecs.decode(bytes.fromhex(hexed).decode(), "rot13"))
EOF
