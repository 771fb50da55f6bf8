#!/usr/bin/python3
"""A tiny JSON notes service: GET / says who and where it runs, POST /notes adds a note,
GET /notes lists them. Notes are kept in a file in the working directory."""
import json
import os
import pwd
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

STORE = "notes.json"


def load():
    try:
        with open(STORE, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return []


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, value):
        body = json.dumps(value).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/":
            self.reply(200, {
                "app": "notes",
                "user": pwd.getpwuid(os.getuid()).pw_name,
                "cwd": os.getcwd(),
                "greeting": os.environ.get("GREETING", ""),
            })
        elif self.path == "/notes":
            self.reply(200, load())
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/notes":
            return self.reply(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length", "0"))
        note = json.loads(self.rfile.read(length) or b"null")
        notes = load() + [note]
        with open(STORE, "w", encoding="utf-8") as f:
            json.dump(notes, f)
        self.reply(201, {"count": len(notes)})


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    HTTPServer(("", port), Handler).serve_forever()
