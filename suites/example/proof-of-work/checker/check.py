"""Exit 0 when the answer on stdin is a valid proof of work, 1 otherwise."""
import hashlib
import sys

answer = sys.stdin.read().strip()
ok = answer.startswith("clearinghouse:") and hashlib.sha256(answer.encode()).hexdigest().startswith("0000")
sys.exit(0 if ok else 1)
