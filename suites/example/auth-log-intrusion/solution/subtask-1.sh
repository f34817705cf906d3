grep 'Accepted password' auth.log | sed 's/.*Accepted password for \([a-z]*\) .*/\1/' | tail -n 1
