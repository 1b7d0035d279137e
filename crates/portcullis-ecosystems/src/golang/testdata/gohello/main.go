// gohello: built by the golang cataloger tests (module example.com/gohello,
// github.com/google/uuid vendored from Debian's golang-github-google-uuid-dev)
// so that its embedded build info lists a real dependency.
package main

import (
	"fmt"

	"github.com/google/uuid"
)

func main() {
	fmt.Println("hello", uuid.NewString())
}
