package main

import (
	"fmt"

	lib "example.com/lib"
	plain "example.com/plain"
	util "example.com/util"
)

func main() { fmt.Println(lib.Name(), plain.Name(), util.Name()) }
