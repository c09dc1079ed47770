// Oracle for the go scheme's module versions: golang.org/x/mod/semver (Debian's
// golang-golang-x-mod-dev). Reads "a<TAB>b" lines and prints "<a valid> <b valid> <order or ?>".
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func valid(v string) int {
	if semver.IsValid(v) {
		return 1
	}
	return 0
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		pair := strings.SplitN(in.Text(), "\t", 2)
		a, b := pair[0], pair[1]
		order := "?"
		if semver.IsValid(a) && semver.IsValid(b) {
			order = fmt.Sprint(semver.Compare(a, b))
		}
		fmt.Fprintln(out, valid(a), valid(b), order)
	}
}
