package load

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ballot-bft/ballot/version"
)

// run is the state of one Run call.
type run struct {
	cfg     Config
	env     Env
	gen     *TxGen
	tracker *Tracker
	stats   *Stats
	origin  time.Time
	rate    atomic.Uint64 // current offered rate (float64 bits), for progress lines

	warnMu   sync.Mutex
	warnings []string
}

func (r *run) warn(msg string) {
	r.warnMu.Lock()
	defer r.warnMu.Unlock()
	if slices.Contains(r.warnings, msg) || len(r.warnings) >= 32 {
		return
	}
	r.warnings = append(r.warnings, msg)
}

// Run executes one load run described by cfg and returns its summary. It fails before sending
// anything when cfg is invalid, a node does not answer `status`, or the block watcher cannot
// start; later trouble (lost connections, a dead watcher) is reported in Summary.Warnings.
// Cancelling ctx stops sending at once and skips the drain; the summary covers what happened.
func Run(ctx context.Context, cfg Config, env Env) (*Summary, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	gen, err := NewTxGen(cfg.Seed, cfg.Size)
	if err != nil {
		return nil, err
	}
	dial := env.Dial
	if dial == nil {
		dial = (&net.Dialer{Timeout: cfg.RequestTimeout, KeepAlive: 30 * time.Second}).DialContext
	}
	transport := &http.Transport{
		DialContext:         dial,
		MaxIdleConns:        cfg.Connections*len(cfg.Endpoints) + 4,
		MaxIdleConnsPerHost: cfg.Connections + 2,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	rpc := &rpcClient{http: &http.Client{Transport: transport}, timeout: cfg.RequestTimeout}
	dialer := &websocket.Dialer{NetDialContext: dial, HandshakeTimeout: cfg.RequestTimeout,
		ReadBufferSize: 64 << 10, WriteBufferSize: 16 << 10}

	sum := &Summary{Tool: "ballot-load", ToolVersion: version.String(), GoVersion: runtime.Version(),
		RunID: gen.RunID(), StartedAt: time.Now().UTC(), Config: cfg}
	for _, e := range uniq(append([]string{cfg.watchEndpoint()}, cfg.Endpoints...)) {
		info, err := rpc.status(ctx, e)
		if err != nil {
			return nil, fmt.Errorf("node status: %w", err)
		}
		sum.Nodes = append(sum.Nodes, info)
	}

	r := &run{cfg: cfg, env: env, gen: gen, origin: time.Now()}
	r.tracker, r.stats = NewTracker(r.origin), NewStats(r.origin)
	m := newMatcher(gen, r.tracker, r.stats)
	w := &blockWatcher{endpoint: cfg.watchEndpoint(), rpc: rpc, dialer: dialer, sink: m.block, warn: r.warn}
	watchCtx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWatch()
	watchDone, err := r.startWatch(ctx, watchCtx, w)
	if err != nil {
		return nil, err
	}

	procs := r.newProcMeter()
	sendSpan, steps, sat := r.send(ctx, rpc, dialer)
	sum.SendSeconds = round2(sendSpan.Seconds())
	sum.Steps, sum.Saturation = steps, sat

	drainStart := time.Now()
	r.drain(ctx, m.seen)
	sum.DrainSeconds = round2(time.Since(drainStart).Seconds())
	stopWatch()
	if err := <-watchDone; err != nil {
		r.warn("block watcher: " + err.Error())
	}

	sum.fill(r.stats, sendSpan)
	sum.Totals.AcceptedUncommitted = r.tracker.AcceptedUncommitted()
	sum.Resources = procs.finish(sum.Totals.Committed)
	sum.FinishedAt = time.Now().UTC()
	sum.Warnings = r.warnings
	return sum, nil
}

// startWatch subscribes (or takes the polling start height) synchronously, so no commit is
// missed, then watches in the background until watchCtx ends; the channel yields the
// watcher's error. A websocket watcher that fails mid-run falls back to polling.
func (r *run) startWatch(ctx, watchCtx context.Context, w *blockWatcher) (<-chan error, error) {
	done := make(chan error, 1)
	if r.cfg.Watch == WatchPoll {
		st, err := w.rpc.status(ctx, w.endpoint)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errWatch, err)
		}
		w.last = st.Height
		go func() { done <- w.poll(watchCtx, r.cfg.PollInterval) }()
		return done, nil
	}
	conn, early, err := w.subscribe(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errWatch, err)
	}
	go func() {
		err := w.readEvents(watchCtx, conn, early)
		if err != nil && watchCtx.Err() == nil {
			r.warn("websocket block watcher failed, polling instead: " + err.Error())
			err = w.poll(watchCtx, r.cfg.PollInterval)
		}
		done <- err
	}()
	return done, nil
}

// send starts the connections, paces the load and returns once every connection is done,
// with the sending time and, for stepped runs, the steps.
func (r *run) send(ctx context.Context, rpc *rpcClient, dialer *websocket.Dialer) (time.Duration, []StepResult, *Saturation) {
	cfg := &r.cfg
	s := newSender(cfg, r.gen, r.tracker, r.stats, rpc)
	queues := make([]chan int, len(cfg.Endpoints))
	var wg sync.WaitGroup
	for i, e := range cfg.Endpoints {
		queues[i] = make(chan int, cfg.Queue)
		for range cfg.Connections {
			wg.Go(func() {
				if cfg.Transport == TransportWebsocket {
					s.runWebsocket(ctx, dialer, e, queues[i], r.warn)
				} else {
					s.runHTTP(ctx, e, queues[i])
				}
			})
		}
	}
	stopProgress := r.startProgress()
	defer stopProgress()

	batch := cfg.batchSize()
	remaining := cfg.Count
	next := 0
	emit := func(n int) bool {
		now := time.Now()
		if cfg.Count > 0 {
			n = int(min(int64(n), remaining))
			remaining -= int64(n)
		}
		r.stats.Offered(now, n)
		for n > 0 {
			k := min(n, batch)
			select {
			case queues[next] <- k:
			default:
				r.stats.NotSent(now, k)
			}
			next = (next + 1) % len(queues)
			n -= k
		}
		return cfg.Count == 0 || remaining > 0
	}

	start := time.Now()
	var steps []StepResult
	var sat *Saturation
	if !cfg.stepping() {
		r.rate.Store(math.Float64bits(cfg.Rate))
		Pace(ctx, cfg.Rate, cfg.Duration, tickFor(cfg.Rate, batch), emit)
	} else {
		steps, sat = r.step(ctx, start, batch, emit, func() bool { return cfg.Count == 0 || remaining > 0 })
	}
	span := time.Since(start)
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	return span, steps, sat
}

// step runs a stepped load: each step paces one rate for StepEvery, then is judged.
func (r *run) step(ctx context.Context, start time.Time, batch int, emit func(int) bool, budgetLeft func() bool) ([]StepResult, *Saturation) {
	cfg := &r.cfg
	sat := &Saturation{}
	var steps []StepResult
	saturatedRun := 0
	for i := 0; ; i++ {
		left := cfg.Duration - time.Since(start)
		rate := cfg.StepFrom + float64(i)*cfg.StepBy
		if left < time.Second || ctx.Err() != nil || !budgetLeft() || rate > maxRate {
			break
		}
		d := min(cfg.StepEvery, left)
		r.rate.Store(math.Float64bits(rate))
		stepStart := time.Now()
		released := Pace(ctx, rate, d, tickFor(rate, batch), emit)
		res := r.judge(rate, released, stepStart, time.Now())
		steps = append(steps, res)
		if res.Saturated {
			sat.Reached = true
			saturatedRun++
		} else {
			saturatedRun = 0
			sat.MaxSustainedRate = max(sat.MaxSustainedRate, rate)
		}
		sat.PeakCommittedTPS = max(sat.PeakCommittedTPS, res.CommittedTPS)
		if cfg.UntilSaturation && saturatedRun >= cfg.SaturationPatience {
			break
		}
	}
	return steps, sat
}

// judge measures the step that ran from start to end at rate, releasing offered permits, and
// decides whether it was saturated.
func (r *run) judge(rate float64, offered int64, start, end time.Time) StepResult {
	from := start.Sub(r.origin)
	to := end.Sub(r.origin)
	// Steps run back to back, so their bounds sit near whole seconds of the timeline: round
	// them to buckets. The commit window skips the first quarter: commits lag sends.
	sec := func(d time.Duration) int { return int(math.Round(d.Seconds())) }
	winFrom, winTo := sec(from+(to-from)/4), sec(to)
	whole := r.stats.window(sec(from), winTo)
	window := r.stats.window(winFrom, winTo)
	res := StepResult{Rate: rate, StartSeconds: round2(from.Seconds()), Seconds: round2((to - from).Seconds()),
		Offered: offered, Sent: whole.sent, NotSent: whole.notSent, Accepted: whole.outcomes[Accepted],
		Rejected: whole.outcomes[MempoolFull] + whole.outcomes[InCache] + whole.outcomes[CheckTxCode] + whole.outcomes[OtherReject],
		Failed:   whole.outcomes[Failed], Committed: window.committed, WindowSeconds: window.seconds}
	if window.seconds > 0 {
		res.CommittedTPS = round2(float64(window.committed) / float64(window.seconds))
	}
	lat := Summarize(r.stats.latenciesBetween(time.Duration(winFrom)*time.Second, time.Duration(winTo)*time.Second))
	res.LatencyP50, res.LatencyP99 = lat.P50, lat.P99
	lost := res.NotSent + res.Rejected + res.Failed
	switch {
	case offered > 0 && float64(lost) > 0.05*float64(offered):
		res.Saturated, res.SaturatedWhy = true, fmt.Sprintf("%d of %d offered not sent, rejected or failed", lost, offered)
	case window.seconds > 0 && res.CommittedTPS < r.cfg.SaturationRatio*rate:
		res.Saturated, res.SaturatedWhy = true, fmt.Sprintf("committed %.0f tx/s < %.0f%% of offered", res.CommittedTPS, 100*r.cfg.SaturationRatio)
	}
	return res
}

// drain waits until no sent transaction is pending, Drain has passed, or ctx ends.
func (r *run) drain(ctx context.Context, seen <-chan struct{}) {
	if r.cfg.Drain <= 0 || ctx.Err() != nil {
		return
	}
	timer := time.NewTimer(r.cfg.Drain)
	defer timer.Stop()
	for r.tracker.Pending() > 0 {
		select {
		case <-seen:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// startProgress prints a progress line every second to env.Progress; the returned function
// stops it.
func (r *run) startProgress() func() {
	if r.env.Progress == nil {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		end, prefix := "\n", ""
		if r.env.TTY {
			end, prefix = "", "\r\033[K"
		}
		printLine := func(now time.Time) {
			sec := int(now.Sub(r.origin) / time.Second)
			line := progressLine(now.Sub(r.origin), math.Float64frombits(r.rate.Load()),
				r.stats.totals(), r.stats.window(sec-1, sec), r.tracker.Pending())
			fmt.Fprint(r.env.Progress, prefix+line+end)
		}
		for {
			select {
			case <-stop:
				select {
				case now := <-ticker.C: // a second ended as the run did: its line is due
					printLine(now)
				default:
				}
				if r.env.TTY {
					fmt.Fprintln(r.env.Progress)
				}
				return
			case now := <-ticker.C:
				printLine(now)
			}
		}
	}()
	return func() { close(stop); <-done }
}

// procMeter measures Config.Procs between its creation and finish.
type procMeter struct {
	r      *run
	read   func(string) ([]byte, error)
	before []procSample
	errs   []error
	self   procSample
}

func (r *run) newProcMeter() *procMeter {
	pm := &procMeter{r: r, read: r.env.ReadProc}
	if pm.read == nil {
		pm.read = os.ReadFile
	}
	for _, p := range r.cfg.Procs {
		s, err := readProc(pm.read, strconv.Itoa(p.PID))
		pm.before = append(pm.before, s)
		pm.errs = append(pm.errs, err)
	}
	pm.self, _ = readProc(pm.read, "self")
	return pm
}

// finish reads the processes again and returns their costs, nil when no process was given.
func (pm *procMeter) finish(committed int64) *Resources {
	if len(pm.r.cfg.Procs) == 0 {
		return nil
	}
	res := &Resources{}
	var cpuTotal float64
	for i, p := range pm.r.cfg.Procs {
		pr := ProcResult{Name: p.Name, PID: p.PID}
		after, err := readProc(pm.read, strconv.Itoa(p.PID))
		if err == nil {
			err = pm.errs[i]
		}
		if err != nil {
			pr.Error = err.Error()
		} else {
			cpu := after.cpu - pm.before[i].cpu
			pr.CPUSeconds = round2(cpu.Seconds())
			pr.PeakRSSBytes = after.peakRSS
			cpuTotal += cpu.Seconds()
			res.MaxPeakRSSBytes = max(res.MaxPeakRSSBytes, after.peakRSS)
		}
		res.Procs = append(res.Procs, pr)
	}
	res.CPUSeconds = round2(cpuTotal)
	if committed > 0 {
		res.CPUPerCommittedTxUS = round2(cpuTotal * 1e6 / float64(committed))
		res.PerNodeCPUPerCommittedTxUS = round2(cpuTotal * 1e6 / float64(committed) / float64(len(res.Procs)))
	}
	if self, err := readProc(pm.read, "self"); err == nil {
		res.GeneratorCPUSeconds = round2((self.cpu - pm.self.cpu).Seconds())
	}
	return res
}

func uniq(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
