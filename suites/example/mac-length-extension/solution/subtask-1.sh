# sha256(key || data) is a Merkle-Damgard hash keyed by prefix.
echo 'length extension'
