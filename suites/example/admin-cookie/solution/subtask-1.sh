# The cookie set by /login is URL-safe base64 of JSON.
python3 -c 'import urllib.request,base64,json;c=urllib.request.urlopen("http://127.0.0.1:8080/login").headers["Set-Cookie"].split(";")[0].split("=",1)[1];json.loads(base64.urlsafe_b64decode(c));print("base64")'
