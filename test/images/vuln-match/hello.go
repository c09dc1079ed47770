package main

import (
	"fmt"
	"net/http"
)

// Links net/http so the binary carries the parts of the standard library most advisories name.
func main() { fmt.Println(http.StatusText(http.StatusOK)) }
