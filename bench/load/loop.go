package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// A loop drives its share of the connections from one OS thread with
// epoll, as wrk does: nonblocking sockets, one write and one read per
// request in the common case, and answers of many connections collected
// by one epoll_wait. It spends a fraction of the CPU a goroutine per
// connection costs, which the server, sharing the cores, gets instead.
type loop struct {
	sa       syscall.Sockaddr
	reqs     [][]byte
	interval time.Duration // per connection; 0: closed loop
	perReq   uint64        // decisions expected in each answer
	batch    bool
	// measure and end bound the window: a request due in it is counted.
	measure, end time.Time
	conns        []*lconn
	stats        *workerStats
}

// lconn is one connection of a loop.
type lconn struct {
	fd      int
	k       int  // the next request's index in reqs
	busy    bool // a request is in flight
	req     []byte
	woff    int       // bytes of req written
	due     time.Time // when the request in flight was due
	next    time.Time // when the next one is due (fixed rate)
	rbuf    []byte
	scratch []byte
}

// sockaddr resolves host:port to a socket address.
func sockaddr(hostport string) (syscall.Sockaddr, error) {
	a, err := net.ResolveTCPAddr("tcp", hostport)
	if err != nil {
		return nil, err
	}
	if ip4 := a.IP.To4(); ip4 != nil {
		sa := &syscall.SockaddrInet4{Port: a.Port}
		copy(sa.Addr[:], ip4)
		return sa, nil
	}
	sa := &syscall.SockaddrInet6{Port: a.Port}
	copy(sa.Addr[:], a.IP.To16())
	return sa, nil
}

// dialFD connects a TCP socket (blocking), then makes it nonblocking.
func dialFD(sa syscall.Sockaddr) (int, error) {
	family := syscall.AF_INET
	if _, ok := sa.(*syscall.SockaddrInet6); ok {
		family = syscall.AF_INET6
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	for {
		err = syscall.Connect(fd, sa)
		if err != syscall.EINTR {
			break
		}
	}
	if err == nil {
		err = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	}
	if err == nil {
		err = syscall.SetNonblock(fd, true)
	}
	if err != nil {
		syscall.Close(fd)
		return -1, err
	}
	return fd, nil
}

const sysEpollPwait2 = 441 // the same number on every architecture

// maxWait bounds one epoll wait (see epollWait).
const maxWait = 10 * time.Millisecond

// epollWait waits up to d (at most maxWait) with nanosecond resolution
// (epoll_pwait2): epoll_wait's milliseconds would add up to a millisecond
// of the generator's own lateness to fixed-rate latencies.
//
// It is a raw system call: the thread keeps its P while it waits instead
// of handing it off, which saves the Go scheduler's wake-ups of other
// threads on every wait — about a third of the generator's CPU time,
// which the server gets instead. The thread is still preemptible: the
// runtime's preemption signal ends the wait with EINTR, and the wait is
// bounded anyway. run sets GOMAXPROCS so that the other goroutines have a
// P of their own.
func epollWait(epfd int, events []syscall.EpollEvent, d time.Duration) (int, error) {
	ts := syscall.NsecToTimespec(int64(min(max(d, 0), maxWait)))
	n, _, errno := syscall.RawSyscall6(sysEpollPwait2, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), uintptr(unsafe.Pointer(&ts)), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// run drives the loop's connections until end, then waits up to drainWait
// for the requests in flight. It runs on its own locked OS thread.
func (l *loop) run(start time.Time) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	defer syscall.Close(epfd)
	for i, c := range l.conns {
		if err := l.connect(epfd, i, c); err != nil {
			return err
		}
		defer func() { syscall.Close(c.fd) }()
		if l.interval > 0 {
			// Spread the connections' schedules evenly.
			c.next = start.Add(l.interval * time.Duration(i) / time.Duration(len(l.conns)))
		}
	}
	events := make([]syscall.EpollEvent, len(l.conns))
	const drainWait = 5 * time.Second
	for {
		now := time.Now()
		over := !now.Before(l.end)
		wait := time.Duration(-1)
		inflight := 0
		for _, c := range l.conns {
			if !c.busy && !over {
				switch {
				case l.interval == 0:
					c.due = now
				case !c.next.After(now):
					c.due, c.next = c.next, c.next.Add(l.interval)
				default:
					if d := c.next.Sub(now); wait < 0 || d < wait {
						wait = d
					}
					continue
				}
				if err := l.send(epfd, c); err != nil {
					l.fail(c, "io: "+err.Error())
					if err := l.reconnect(epfd, c); err != nil {
						return err
					}
					continue
				}
			}
			if c.busy {
				inflight++
			}
		}
		switch {
		case over && inflight == 0:
			return nil
		case over:
			if now.Sub(l.end) > drainWait {
				l.stats.errs["no answer by the end"] += uint64(inflight)
				return nil
			}
			wait = drainWait
		case wait < 0 || l.end.Sub(now) < wait:
			wait = l.end.Sub(now)
		}
		n, err := epollWait(epfd, events, wait)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			return fmt.Errorf("epoll_pwait2: %w", err)
		}
		done := time.Now()
		for _, ev := range events[:n] {
			c := l.conns[ev.Fd]
			if err := l.event(epfd, c, ev.Events, done); err != nil {
				l.fail(c, err.Error())
				if err := l.reconnect(epfd, c); err != nil {
					return err
				}
			}
		}
	}
}

func (l *loop) connect(epfd, i int, c *lconn) error {
	fd, err := dialFD(l.sa)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	c.fd = fd
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(i)}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		syscall.Close(fd)
		return err
	}
	return nil
}

// reconnect replaces c's socket after an error or a close; the request in
// flight, if any, is lost (and was counted as an error).
func (l *loop) reconnect(epfd int, c *lconn) error {
	_ = syscall.EpollCtl(epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
	syscall.Close(c.fd)
	c.busy, c.rbuf = false, c.rbuf[:0]
	for i, cc := range l.conns {
		if cc == c {
			return l.connect(epfd, i, c)
		}
	}
	return errors.New("lost a connection")
}

// fail counts an error for a request in flight due in the window.
func (l *loop) fail(c *lconn, what string) {
	if c.busy && !c.due.Before(l.measure) {
		l.stats.errs[what]++
	}
}

// send starts c's next request.
func (l *loop) send(epfd int, c *lconn) error {
	c.req = l.reqs[c.k%len(l.reqs)]
	c.k++
	c.woff = 0
	c.busy = true
	return l.write(epfd, c)
}

// write writes what is left of c's request, waiting for EPOLLOUT when the
// socket's buffer is full.
func (l *loop) write(epfd int, c *lconn) error {
	for c.woff < len(c.req) {
		n, err := syscall.Write(c.fd, c.req[c.woff:])
		switch {
		case err == syscall.EAGAIN:
			ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLOUT, Fd: l.index(c)}
			return syscall.EpollCtl(epfd, syscall.EPOLL_CTL_MOD, c.fd, &ev)
		case err == syscall.EINTR:
			continue
		case err != nil:
			return err
		}
		c.woff += n
	}
	return nil
}

func (l *loop) index(c *lconn) int32 {
	for i, cc := range l.conns {
		if cc == c {
			return int32(i)
		}
	}
	return -1
}

// event handles epoll events of c: the rest of a request to write, or an
// answer to read.
func (l *loop) event(epfd int, c *lconn, events uint32, now time.Time) error {
	if events&syscall.EPOLLOUT != 0 && c.busy && c.woff < len(c.req) {
		if err := l.write(epfd, c); err != nil {
			return err
		}
		if c.woff == len(c.req) {
			ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: l.index(c)}
			if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_MOD, c.fd, &ev); err != nil {
				return err
			}
		}
	}
	if events&(syscall.EPOLLIN|syscall.EPOLLRDHUP|syscall.EPOLLHUP|syscall.EPOLLERR) == 0 {
		return nil
	}
	if cap(c.rbuf)-len(c.rbuf) < 16<<10 {
		nb := make([]byte, len(c.rbuf), 2*cap(c.rbuf)+32<<10)
		copy(nb, c.rbuf)
		c.rbuf = nb
	}
	n, err := syscall.Read(c.fd, c.rbuf[len(c.rbuf):cap(c.rbuf)])
	switch {
	case err == syscall.EAGAIN || err == syscall.EINTR:
		return nil
	case err != nil:
		return err
	case n == 0:
		return errors.New("the server closed the connection")
	}
	c.rbuf = c.rbuf[:len(c.rbuf)+n]
	if !c.busy {
		return errors.New("an answer nobody asked for")
	}
	a, ok, scratch, err := parseAnswer(c.rbuf, c.scratch)
	c.scratch = scratch
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	l.answered(c, a, now)
	c.busy = false
	rest := copy(c.rbuf, c.rbuf[a.size:])
	c.rbuf = c.rbuf[:rest]
	if a.close {
		return l.reconnect(epfd, c)
	}
	// Closed loop: the next request goes out at once, as wrk does.
	if l.interval == 0 && now.Before(l.end) {
		c.due = now
		return l.send(epfd, c)
	}
	return nil
}

// answered counts one answer due in the window.
func (l *loop) answered(c *lconn, a answer, now time.Time) {
	if c.due.Before(l.measure) {
		return
	}
	ws := l.stats
	ws.requests++
	if a.status != 200 {
		ws.errs[fmt.Sprintf("status %d", a.status)]++
		return
	}
	al, de := uint64(bytes.Count(a.body, allowTag)), uint64(bytes.Count(a.body, denyTag))
	ws.allow += al
	ws.deny += de
	ws.decisions += al + de
	if l.batch {
		ws.itemErrs += uint64(bytes.Count(a.body, errorTag))
	}
	if al+de != l.perReq {
		ws.errs["answer without the expected decisions"]++
		return
	}
	ws.hist.record(now.Sub(c.due))
}
