package main

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

var errMalformed = errors.New("malformed HTTP answer")

// answer is one parsed HTTP/1.1 answer.
type answer struct {
	status int
	// body is the body, de-chunked into scratch when it came in chunks;
	// valid until the buffer it points into changes.
	body []byte
	// size is how many bytes of the input the answer took.
	size int
	// close is set when the server will close the connection.
	close bool
}

var (
	crlf        = []byte("\r\n")
	headerEnd   = []byte("\r\n\r\n")
	hdrLength   = []byte("Content-Length")
	hdrEncoding = []byte("Transfer-Encoding")
	hdrConn     = []byte("Connection")
)

// parseAnswer parses the first HTTP/1.1 answer in buf. It reports ok false
// when buf does not hold the whole answer yet. A chunked body is copied
// into scratch (grown as needed and returned).
func parseAnswer(buf, scratch []byte) (a answer, ok bool, _ []byte, err error) {
	end := bytes.Index(buf, headerEnd)
	if end < 0 {
		if len(buf) > 64<<10 {
			return a, false, scratch, fmt.Errorf("%w: headers over 64 KiB", errMalformed)
		}
		return a, false, scratch, nil
	}
	head := buf[:end]
	line, rest, _ := bytes.Cut(head, crlf)
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return a, false, scratch, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	if a.status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return a, false, scratch, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	length, chunked := -1, false
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, crlf)
		name, value, found := bytes.Cut(line, []byte(":"))
		if !found {
			return a, false, scratch, fmt.Errorf("%w: header %q", errMalformed, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, hdrLength):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return a, false, scratch, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
		case bytes.EqualFold(name, hdrEncoding):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, hdrConn):
			a.close = bytes.EqualFold(value, []byte("close"))
		}
	}
	body := buf[end+len(headerEnd):]
	switch {
	case chunked:
		var n int
		scratch, n, ok, err = dechunk(body, scratch[:0])
		if !ok || err != nil {
			return a, false, scratch, err
		}
		a.body, a.size = scratch, end+len(headerEnd)+n
	case length >= 0:
		if len(body) < length {
			return a, false, scratch, nil
		}
		a.body, a.size = body[:length], end+len(headerEnd)+length
	default:
		return a, false, scratch, fmt.Errorf("%w: neither Content-Length nor chunked", errMalformed)
	}
	return a, true, scratch, nil
}

// dechunk appends the data of the chunked body at the start of in to out,
// and reports how many bytes of in it took; ok is false while it is
// incomplete.
func dechunk(in, out []byte) (_ []byte, n int, ok bool, err error) {
	for {
		i := bytes.Index(in[n:], crlf)
		if i < 0 {
			return out, 0, false, nil
		}
		size := in[n : n+i]
		if j := bytes.IndexByte(size, ';'); j >= 0 {
			size = size[:j]
		}
		m, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 32)
		if err != nil || m < 0 {
			return out, 0, false, fmt.Errorf("%w: chunk size %q", errMalformed, size)
		}
		n += i + 2
		if m == 0 {
			// Trailers, then an empty line.
			for {
				i := bytes.Index(in[n:], crlf)
				if i < 0 {
					return out, 0, false, nil
				}
				n += i + 2
				if i == 0 {
					return out, n, true, nil
				}
			}
		}
		if len(in)-n < int(m)+2 {
			return out, 0, false, nil
		}
		out = append(out, in[n:n+int(m)]...)
		n += int(m)
		if !bytes.HasPrefix(in[n:], crlf) {
			return out, 0, false, fmt.Errorf("%w: no CRLF after a chunk", errMalformed)
		}
		n += 2
	}
}

// buildRequest returns a whole HTTP/1.1 POST of body to path.
func buildRequest(host, path, key string, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		path, host, key, len(body))
	b.Write(body)
	return b.Bytes()
}
