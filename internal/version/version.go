// Package version is sysnut's release, the one place it is written, for
// every command's -V and the server's VER.
package version

// Release is sysnut's version.
const Release = "0.1.0"
