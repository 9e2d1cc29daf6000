package engine

import (
	"encoding/base64"
	"net/netip"
	"strings"
)

// parsePrefix reads an IpAddress/NotIpAddress policy value: a CIDR range
// (host bits are ignored: 203.0.113.7/24 is 203.0.113.0/24) or a single
// address, which the IAM User Guide gives the prefix /32 (/128 for IPv6).
// An IPv4-mapped IPv6 range (::ffff:203.0.113.0/120) becomes the IPv4 range
// it maps (203.0.113.0/24), so it matches IPv4 requests.
func parsePrefix(s string) (netip.Prefix, bool) {
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return netip.Prefix{}, false
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, false
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), true
}

// parseRequestAddr reads a request's address. An IPv4-mapped IPv6 address
// (::ffff:203.0.113.7, as dual-stack sockets report IPv4 peers) is compared
// as the IPv4 address it is; an IPv6 zone is dropped.
func parseRequestAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// decodeBase64 decodes a BinaryEquals policy value, padded or not.
func decodeBase64(s string) ([]byte, bool) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	return nil, false
}

// base64Compare decodes s (standard alphabet, padding optional, line breaks
// ignored, as encoding/base64 reads it) and compares it with want, without
// allocating. valid is false when s is not base64.
func base64Compare(s string, want []byte) (valid, equal bool) {
	var acc uint32
	nbits, out, data, pad := 0, 0, 0, 0
	equal = true
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\r' || ch == '\n':
			continue
		case ch == '=':
			pad++
			continue
		case pad > 0:
			return false, false // data after padding
		}
		v := base64Value(ch)
		if v < 0 {
			return false, false
		}
		data++
		acc = acc<<6 | uint32(v)
		nbits += 6
		if nbits >= 8 {
			nbits -= 8
			b := byte(acc >> nbits)
			acc &= 1<<nbits - 1
			if out >= len(want) || want[out] != b {
				equal = false
			}
			out++
		}
	}
	if data%4 == 1 || pad > 2 || (pad > 0 && (data+pad)%4 != 0) {
		return false, false
	}
	return true, equal && out == len(want)
}

func base64Value(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
