# withdraw accepts negative amounts: withdrawing -2,000,000 adds 2,000,000 to the balance.
python3 - <<'PY'
import socket
with socket.create_connection(("127.0.0.1", 9101), timeout=10) as conn:
    stream = conn.makefile("rw")
    stream.readline()
    stream.write("withdraw -2000000\n")
    stream.flush()
    stream.readline()
    stream.write("buy\n")
    stream.flush()
    print(stream.readline().strip())
PY
