package serve

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// LoadAccounts reads an accounts file: one "user password" (or
// "user:password") per line; blank lines and lines starting with # are
// skipped. Errors name the file and line.
func LoadAccounts(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, pass, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(user, " \t") {
			user, pass, ok = strings.Cut(line, " ")
		}
		user, pass = strings.TrimSpace(user), strings.TrimSpace(pass)
		if !ok || user == "" || pass == "" || strings.ContainsAny(user, "@/") {
			return nil, fmt.Errorf("%s:%d: expected \"user password\" (a local part, then the password)", path, n)
		}
		if _, dup := out[user]; dup {
			return nil, fmt.Errorf("%s:%d: account %q listed twice", path, n, user)
		}
		out[user] = pass
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return out, nil
}
