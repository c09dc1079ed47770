package main

import "fmt"

func main() {
	fmt.Println("ceranatool")
}
