# Addresses that both failed and then succeeded with a password.
grep 'Failed password' auth.log | sed 's/.* from \([0-9.]*\) port.*/\1/' | sort -u > /tmp/failed
grep 'Accepted password' auth.log | sed 's/.* from \([0-9.]*\) port.*/\1/' | sort -u > /tmp/accepted
comm -12 /tmp/failed /tmp/accepted | tail -n 1
