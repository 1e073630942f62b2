// Command gobench holds the Go twins of the C benchmarks in bench/rt and bench/det: the
// same programs written the way a Go programmer would, so the two runtimes are compared
// on equal work.  Each prints the same RESULT line as bench/bench.h:
//
//	RESULT bench=<name> n=<operations> ns=<elapsed ns> ns_op=<ns per operation> [k=v...]
//
// GOMAXPROCS comes from the environment.  Usage: gobench BENCH [n] [passes]
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func arg(i int, dflt int64) int64 {
	if len(os.Args) <= i {
		return dflt
	}
	v, err := strconv.ParseInt(os.Args[i], 10, 64)
	if err != nil || v <= 0 {
		fmt.Fprintf(os.Stderr, "gobench: argument %d must be a positive count\n", i)
		os.Exit(2)
	}
	return v
}

func report(name string, n int64, d time.Duration, extra string) {
	line := fmt.Sprintf("RESULT bench=%s n=%d ns=%d ns_op=%.2f", name, n, d.Nanoseconds(),
		float64(d.Nanoseconds())/float64(n))
	if extra != "" {
		line += " " + extra
	}
	fmt.Println(line)
}

// vmKB returns a "Vm...:" field of /proc/self/status in KiB, or -1 (page tables are
// memory that ru_maxrss does not count).
func vmKB(key string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, key) {
			f := strings.Fields(line[len(key):])
			if len(f) > 0 {
				if v, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return v
				}
			}
		}
	}
	return -1
}

// switch: two goroutines yield to each other.
func benchSwitch() {
	iters := arg(2, 5000000)
	workers := 2 * runtime.GOMAXPROCS(0) // two per P: every yield has another to switch to
	var wg sync.WaitGroup
	wg.Add(workers)
	t0 := time.Now()
	for g := 0; g < workers; g++ {
		go func() {
			for i := int64(0); i < iters; i++ {
				runtime.Gosched()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	report("switch", int64(workers)*iters, time.Since(t0), "")
}

// spawn: n goroutines that only call wg.Done.
func benchSpawn() {
	n := arg(2, 1000000)
	var wg sync.WaitGroup
	t0 := time.Now()
	wg.Add(int(n))
	for i := int64(0); i < n; i++ {
		go func() { wg.Done() }()
	}
	wg.Wait()
	report("spawn", n, time.Since(t0), "")
}

// live: n goroutines parked on one channel at once, then released by close.
func benchLive() {
	n := arg(2, 1000000)
	ch := make(chan int)
	var parked, finished sync.WaitGroup
	parked.Add(int(n))
	finished.Add(int(n))
	t0 := time.Now()
	for i := int64(0); i < n; i++ {
		go func() {
			parked.Done()
			<-ch
			finished.Done()
		}()
	}
	parked.Wait()
	t1 := time.Now()
	live := runtime.NumGoroutine()
	rss, pte := vmKB("VmRSS:"), vmKB("VmPTE:")
	close(ch)
	finished.Wait()
	report("live", n, time.Since(t0),
		fmt.Sprintf("park_ms=%.1f live=%d rss_kb=%d pte_kb=%d",
			float64(t1.Sub(t0).Nanoseconds())/1e6, live, rss, pte))
}

// pingpong: n round trips over two unbuffered channels.
func benchPingpong() {
	n := arg(2, 1000000)
	ping, pong := make(chan int64), make(chan int64)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	t0 := time.Now()
	for i := int64(0); i < n; i++ {
		ping <- i
		if v := <-pong; v != i {
			panic("pingpong: wrong value")
		}
	}
	d := time.Since(t0)
	close(ping)
	report("pingpong", n, d, "")
}

// prodcons: one producer, one consumer, a channel of capacity 128.
func benchProdcons() {
	n := arg(2, 5000000)
	ch := make(chan int64, 128)
	t0 := time.Now()
	go func() {
		for i := int64(0); i < n; i++ {
			ch <- i
		}
		close(ch)
	}()
	var sum int64
	for v := range ch {
		sum += v
	}
	d := time.Since(t0)
	if sum != n*(n-1)/2 {
		panic("prodcons: wrong sum")
	}
	report("prodcons", n, d, "")
}

// mutex: 4 goroutines increment one counter under one sync.Mutex.
func benchMutex() {
	const workers = 4
	n := arg(2, 4000000)
	per := n / workers
	var mu sync.Mutex
	var counter int64
	var wg sync.WaitGroup
	t0 := time.Now()
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			for i := int64(0); i < per; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	d := time.Since(t0)
	if counter != per*workers {
		panic("mutex: lost updates")
	}
	report("mutex", per*workers, d, "")
}

// arrayloop: two workers sweep their halves of a 4M-element array, halves swap each pass.
func benchArrayloop() {
	n, passes := arg(2, 4<<20), arg(3, 10)
	a := make([]uint32, n)
	sweep := func(lo, hi int64, salt uint32, wg *sync.WaitGroup) {
		for i := lo; i < hi; i++ {
			a[i] = a[i]*2654435761 + salt
		}
		wg.Done()
	}
	t0 := time.Now()
	for p := int64(0); p < passes; p++ {
		var wg sync.WaitGroup
		wg.Add(2)
		for w := int64(0); w < 2; w++ {
			half := (w + p) & 1
			hi := n / 2
			if half == 1 {
				hi = n
			}
			go sweep(half*(n/2), hi, uint32(p), &wg)
		}
		wg.Wait()
	}
	d := time.Since(t0)
	var sum uint32
	for _, v := range a {
		sum += v
	}
	report("arrayloop", n*passes, d, fmt.Sprintf("impl=go check=%d", sum))
}

// atomics: two goroutines atomically add 1 to one counter n/2 times each.
func benchAtomics() {
	n := arg(2, 4000000)
	k := n / 2
	var counter int64
	var wg sync.WaitGroup
	t0 := time.Now()
	wg.Add(2)
	for w := 0; w < 2; w++ {
		go func() {
			for i := int64(0); i < k; i++ {
				atomic.AddInt64(&counter, 1)
			}
			wg.Done()
		}()
	}
	wg.Wait()
	d := time.Since(t0)
	if atomic.LoadInt64(&counter) != 2*k {
		panic("atomics: lost updates")
	}
	report("atomics", 2*k, d, "impl=go")
}

// mutexes: two goroutines each take mutex a then b, bump a counter, release both, n/2 times.
func benchMutexes() {
	n := arg(2, 2000000)
	k := n / 2
	var a, b sync.Mutex
	var counter int64
	var wg sync.WaitGroup
	t0 := time.Now()
	wg.Add(2)
	for w := 0; w < 2; w++ {
		go func() {
			for i := int64(0); i < k; i++ {
				a.Lock()
				b.Lock()
				counter++
				b.Unlock()
				a.Unlock()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	d := time.Since(t0)
	if counter != 2*k {
		panic("mutexes: lost updates")
	}
	report("mutexes", 2*k, d, "impl=go")
}

func main() {
	benches := map[string]func(){
		"switch": benchSwitch, "spawn": benchSpawn, "live": benchLive,
		"pingpong": benchPingpong, "prodcons": benchProdcons, "mutex": benchMutex,
		"arrayloop": benchArrayloop, "atomics": benchAtomics, "mutexes": benchMutexes,
	}
	if len(os.Args) < 2 || benches[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: gobench switch|spawn|live|pingpong|prodcons|mutex|arrayloop|atomics|mutexes [n] [passes]")
		os.Exit(2)
	}
	benches[os.Args[1]]()
}
