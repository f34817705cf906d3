python3 - <<'EOF'
import hashlib, itertools
for n in itertools.count():
    candidate = f"clearinghouse:{n}"
    if hashlib.sha256(candidate.encode()).hexdigest().startswith("0000"):
        print(candidate)
        break
EOF
