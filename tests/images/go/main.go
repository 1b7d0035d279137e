// gohello: a tiny Go program for the portcullis "apps" fixture image. It is
// built in module mode with github.com/google/uuid vendored from Debian's
// golang-github-google-uuid-dev, so its embedded build info lists that module.
package main

import (
	"fmt"

	"github.com/google/uuid"
)

func main() {
	fmt.Println("hello from the portcullis fixture:", uuid.NewString())
}
