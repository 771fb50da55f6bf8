// go-http: a small HTTP server in Go (net/http, no dependencies), statically linked: a tinyx example.
// Usage: ./server [port]   (default 8080)
// GET /        -> 200 "hello from go-http\n"
// GET /health  -> 200 "ok\n"
// anything else -> 404
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	port := "8080"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, "hello from go-http\n")
		case "/health":
			fmt.Fprint(w, "ok\n")
		default:
			http.NotFound(w, r)
		}
	})
	listener, err := net.Listen("tcp", ":"+port)
	if err != nil {
		fmt.Fprintf(os.Stderr, "server: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("server: listening on port %s\n", port)
	fmt.Fprintf(os.Stderr, "server: %v\n", http.Serve(listener, nil))
	os.Exit(1)
}
