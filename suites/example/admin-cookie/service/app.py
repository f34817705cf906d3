"""A small web application that remembers who you are in a cookie."""
import base64
import http.server
import json
import os


def flag():
    with open(os.path.join(os.environ.get("CH_SECRET_DIR", "/secret"), "flag.txt")) as f:
        return f.read().strip()


def session(headers):
    for part in headers.get("Cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "session":
            try:
                return json.loads(base64.urlsafe_b64decode(value.encode()))
            except ValueError:
                return None
    return None


class App(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body, cookie=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if cookie:
            self.send_header("Set-Cookie", f"session={cookie}; Path=/")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/":
            self.reply(200, "Welcome. GET /login to get a guest session, GET /admin for the admin area.\n")
        elif self.path == "/login":
            cookie = base64.urlsafe_b64encode(json.dumps({"user": "guest", "admin": False}).encode()).decode()
            self.reply(200, "logged in as guest\n", cookie)
        elif self.path == "/admin":
            user = session(self.headers)
            if user is None:
                self.reply(401, "log in first\n")
            elif user.get("admin") is True:
                self.reply(200, f"welcome, administrator: {flag()}\n")
            else:
                self.reply(403, f"{user.get('user')} is not an administrator\n")
        else:
            self.reply(404, "not found\n")

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(os.environ.get("CH_SERVICE_PORT", "8080"))
    http.server.ThreadingHTTPServer(("127.0.0.1", port), App).serve_forever()
