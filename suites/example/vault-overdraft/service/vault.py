"""A tiny bank vault service: one account per connection, a line-based protocol."""
import os
import socketserver

PRICE = 1_000_000


def flag():
    with open(os.path.join(os.environ.get("CH_SECRET_DIR", "/secret"), "flag.txt")) as f:
        return f.read().strip()


class Vault(socketserver.StreamRequestHandler):
    def say(self, text):
        self.wfile.write((text + "\n").encode())

    def handle(self):
        balance = 100
        self.say("vault ready. commands: balance | deposit N | withdraw N | buy | quit")
        for raw in self.rfile:
            words = raw.decode(errors="replace").split()
            if not words:
                continue
            command, args = words[0], words[1:]
            try:
                if command == "balance":
                    self.say(f"balance {balance}")
                elif command == "deposit":
                    amount = int(args[0])
                    if amount <= 0 or amount > 100:
                        self.say("deposits are between 1 and 100")
                    else:
                        balance += amount
                        self.say(f"balance {balance}")
                elif command == "withdraw":
                    amount = int(args[0])
                    if amount > balance:
                        self.say("insufficient funds")
                    else:
                        balance -= amount
                        self.say(f"balance {balance}")
                elif command == "buy":
                    if balance >= PRICE:
                        balance -= PRICE
                        self.say(flag())
                    else:
                        self.say(f"the flag costs {PRICE}")
                elif command == "quit":
                    return
                else:
                    self.say("unknown command")
            except (IndexError, ValueError):
                self.say("bad arguments")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    port = int(os.environ.get("CH_SERVICE_PORT", "9101"))
    with Server(("127.0.0.1", port), Vault) as server:
        server.serve_forever()
