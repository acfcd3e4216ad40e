package config

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"
)

// Users is upsd.users.
type Users struct {
	File  string
	Users []User
}

// User is one [name] section of upsd.users.
type User struct {
	Name     string
	Line     int
	Password string
	Actions  []string // upper-cased
	Instcmds []string // as written; "ALL" allows every command
	Upsmon   string   // "primary", "secondary" or ""
}

// Find returns the user called name (case-sensitive), or nil.
func (u *Users) Find(name string) *User {
	for i := range u.Users {
		if u.Users[i].Name == name {
			return &u.Users[i]
		}
	}
	return nil
}

// Authenticate returns the user if the password matches, comparing in
// constant time so that timing does not reveal how much of it matched.
//
// The password is compared as a SHA-256 digest in constant time, so that
// the time taken depends neither on how much of a guess is right nor on
// its length; an unknown user is compared against an empty password.
func (u *Users) Authenticate(name, password string) *User {
	usr := u.Find(name)
	want := ""
	if usr != nil {
		want = usr.Password
	}
	a, b := sha256.Sum256([]byte(want)), sha256.Sum256([]byte(password))
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 || usr == nil {
		return nil
	}
	return usr
}

// Can reports whether the user may perform action (LOGIN, PRIMARY, MASTER,
// FSD, SET). PRIMARY and MASTER are the same right under two names.
func (u *User) Can(action string) bool {
	action = strings.ToUpper(action)
	for _, a := range u.Actions {
		if a == action || (isPrimary(a) && isPrimary(action)) {
			return true
		}
	}
	return false
}

func isPrimary(a string) bool { return a == "PRIMARY" || a == "MASTER" }

// CanRun reports whether the user may run the instant command.
func (u *User) CanRun(cmd string) bool {
	for _, c := range u.Instcmds {
		if strings.EqualFold(c, cmd) || strings.EqualFold(c, "all") {
			return true
		}
	}
	return false
}

// LoadUsers reads upsd.users.
func LoadUsers(path string) (*Users, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return ParseUsers(path, data)
}

// ParseUsers parses upsd.users data. Keywords are case-insensitive, user
// names and passwords case-sensitive.
func ParseUsers(name string, data []byte) (*Users, error) {
	p := &problems{file: name}
	us := &Users{File: name}
	var cur *User
	for _, l := range lex(p, data) {
		w := l.words
		if s, ok := section(w); ok {
			if s == "" || strings.ContainsAny(s, " []") {
				p.add(l.num, "invalid user name %q", s)
				cur = &User{Name: s, Password: "-"}
				continue
			}
			if prev := us.Find(s); prev != nil {
				p.add(l.num, "user %q already defined at line %d", s, prev.Line)
			}
			us.Users = append(us.Users, User{Name: s, Line: l.num})
			cur = &us.Users[len(us.Users)-1]
			continue
		}
		if cur == nil {
			p.add(l.num, "%q outside a [user] section", w[0])
			continue
		}
		key := strings.ToLower(w[0])
		var vals []string
		switch {
		case key == "upsmon" && len(w) == 2:
			vals = w[1:]
		case len(w) >= 3 && w[1] == "=":
			vals = w[2:]
		default:
			p.add(l.num, "expected 'name = value', got %q", strings.Join(w, " "))
			continue
		}
		switch key {
		case "password":
			if len(vals) != 1 {
				p.add(l.num, "password has %d words; put it in double quotes", len(vals))
				continue
			}
			cur.Password = vals[0]
		case "actions":
			for _, a := range vals {
				a = strings.ToUpper(a)
				switch a {
				case "SET", "FSD", "LOGIN", "MASTER", "PRIMARY":
				default:
					p.add(l.num, "unknown action %q (SET, FSD, LOGIN, PRIMARY, MASTER)", a)
					continue
				}
				cur.Actions = append(cur.Actions, a)
			}
		case "instcmds":
			cur.Instcmds = append(cur.Instcmds, vals...)
		case "upsmon":
			if len(vals) != 1 {
				p.add(l.num, "upsmon takes one word: primary or secondary")
				continue
			}
			switch strings.ToLower(vals[0]) {
			case "primary", "master":
				cur.Upsmon = "primary"
				cur.Actions = append(cur.Actions, "LOGIN", "PRIMARY", "FSD")
			case "secondary", "slave":
				cur.Upsmon = "secondary"
				cur.Actions = append(cur.Actions, "LOGIN")
			default:
				p.add(l.num, "upsmon: %q is neither primary nor secondary", vals[0])
			}
		case "allowfrom":
			p.add(l.num, "allowfrom was removed from NUT in 2.4; use LISTEN, or IPAddressAllow= on the socket unit")
		default:
			p.add(l.num, "unknown keyword %q (password, actions, instcmds, upsmon)", w[0])
		}
	}
	for _, u := range us.Users {
		if u.Password == "" {
			p.add(u.Line, "user %q has no password", u.Name)
		}
	}
	return us, p.err()
}
