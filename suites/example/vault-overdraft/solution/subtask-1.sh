# The question is about the code: the missing check is in withdraw.
grep -o 'command == "withdraw"' vault.py | head -n 1 | cut -d'"' -f2
