module tinyx.example/go-http

go 1.19
