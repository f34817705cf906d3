python3 - <<'EOF'
import base64, codecs, zipfile
comment = zipfile.ZipFile("report.zip").comment.decode()
print(codecs.decode(base64.b32decode(comment.split(": ", 1)[1]).decode(), "rot13"))
EOF
