"""Document API: requests carry data and a MAC, sha256(key || data), checked by the server."""
import hashlib
import hmac
import http.server
import os
import urllib.parse


def secret(name):
    with open(os.path.join(os.environ.get("CH_SECRET_DIR", "/secret"), name)) as f:
        return f.read().strip()


KEY = secret("key.txt").encode()


class Api(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path != "/document" or "data" not in query or "mac" not in query:
            self.reply(404, "GET /document?data=<hex>&mac=<hex>\n")
            return
        try:
            data = bytes.fromhex(query["data"][0])
        except ValueError:
            self.reply(400, "data must be hex\n")
            return
        expected = hashlib.sha256(KEY + data).hexdigest()
        if not hmac.compare_digest(expected, query["mac"][0]):
            self.reply(403, "bad mac\n")
            return
        fields = {}
        for pair in data.split(b"&"):
            name, _, value = pair.partition(b"=")
            fields[name] = value
        if fields.get(b"role") == b"admin":
            self.reply(200, f"admin document: {secret('flag.txt')}\n")
        else:
            self.reply(200, f"reader document for {fields.get(b'user', b'?').decode(errors='replace')}\n")

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(os.environ.get("CH_SERVICE_PORT", "8081"))
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Api).serve_forever()
