/* hello-http: a tiny HTTP/1.0 server for tinyx's end-to-end tests.
 * Usage: ./server [port]   (default 80)
 * GET /        -> 200 "hello from tinyx\n"
 * GET /health  -> 200 "ok\n"
 * anything else -> 404
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *BODY_ROOT = "hello from tinyx\n";
static const char *BODY_HEALTH = "ok\n";
static const char *BODY_404 = "not found\n";

static void respond(int fd, int status, const char *reason, const char *body) {
  char head[256];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.0 %d %s\r\nContent-Type: text/plain\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                   status, reason, strlen(body));
  if (write(fd, head, (size_t)n) < 0) return;
  if (write(fd, body, strlen(body)) < 0) return;
}

static void serve(int fd) {
  char req[2048];
  size_t used = 0;
  /* Read until the end of the request line (or headers) or the buffer fills. */
  while (used < sizeof req - 1) {
    ssize_t r = read(fd, req + used, sizeof req - 1 - used);
    if (r <= 0) break;
    used += (size_t)r;
    req[used] = '\0';
    if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n")) break;
  }
  req[used] = '\0';
  char method[16] = "", path[1024] = "";
  if (sscanf(req, "%15s %1023s", method, path) != 2) {
    respond(fd, 400, "Bad Request", "bad request\n");
  } else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
    respond(fd, 405, "Method Not Allowed", "method not allowed\n");
  } else if (strcmp(path, "/") == 0) {
    respond(fd, 200, "OK", BODY_ROOT);
  } else if (strcmp(path, "/health") == 0) {
    respond(fd, 200, "OK", BODY_HEALTH);
  } else {
    respond(fd, 404, "Not Found", BODY_404);
  }
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 80;
  if (port <= 0 || port > 65535) {
    fprintf(stderr, "server: bad port '%s'\n", argv[1]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) { perror("server: socket"); return 1; }
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons((unsigned short)port);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("server: bind"); return 1; }
  if (listen(s, 16) < 0) { perror("server: listen"); return 1; }
  printf("server: listening on port %d\n", port);
  fflush(stdout);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) {
      if (errno == EINTR) continue;
      perror("server: accept");
      return 1;
    }
    serve(c);
    close(c);
  }
}
