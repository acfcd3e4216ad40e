package nutproto

// Atoi reads a number the way NUT's C code does with atoi(3): leading
// white space, an optional sign, then digits up to the first non-digit
// ("12abc" is 12); anything else is 0. NUT applies it to ranges, aux
// lengths and tracking statuses, so sysnut must read them alike.
func Atoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
