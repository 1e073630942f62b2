/*
 * chan.c - Go's channels: unbuffered (rendezvous), buffered (ring buffer), close, select.
 *
 * Invariants (each guarded by the channel's `lock`, a spin lock that is free at procs = 1):
 *   - unbuffered: a goroutine queues itself only when no other goroutine waits on the
 *     opposite queue (so sendq and recvq never both hold waiters of different goroutines;
 *     one select may sit on both); a sender that finds a parked receiver (or the reverse)
 *     copies the element straight between the two goroutines' memory and marks the parked
 *     waiter `done` (direct handoff);
 *   - buffered: elements live in buf[recvx .. recvx+count) modulo cap.  A waiter parked on
 *     a buffered channel is only woken to *retry* (its record stays !done): every element
 *     passes through a slot, so each slot is the exact happens-before carrier the Go memory
 *     model describes (the k-th receive before the (k+cap)-th send) and no hook ever has
 *     to act on behalf of a parked goroutine;
 *   - once `closed` is set it never clears, and both queues are emptied: close completes
 *     every parked waiter itself (`done` and `closed`: once they run, receivers zero
 *     their element and senders panic), so none touches the channel again.
 *
 * Waiter records (Go's sudog) live on the parked goroutine's own stack, which never moves
 * and stays valid until that goroutine returns from the channel call.  A select parks one
 * record per case on several channels at once; the first waker to win the select's
 * `claimed` flag (an atomic exchange: wakers on different channels hold different locks)
 * owns it, and later wakers drop the stale records they dequeue.  The selecting goroutine
 * relocks every channel before it touches or abandons its records, so a waker holding one
 * of those locks can still read them; except the channel of a case its waker completed
 * when no other record waits there: once an operation is complete, nothing of the runtime
 * touches its channel again, so its users may free it (chan_free).  select locks channels
 * in address order, without duplicates, and unlocks in reverse order so that the parked
 * goroutine (which relocks from the lowest address) cannot leave select while its lock
 * list is still being read.
 *
 * Race detector edges (race.h), placed at the synchronising step:
 *   unbuffered  the waker joins both clocks at the handoff (race_handoff: the parked
 *               goroutine's clock is frozen while it is queued), so sender and receiver
 *               see each other's earlier writes, both ways, and neither their later ones.
 *   buffered    each slot is acquired then released (store) by both the send that fills
 *               it and the receive that empties it.
 *   close       releases on the channel; a receive that observes the close acquires it,
 *               and the parked waiters it completes get its clock (race_release_to).
 * A send (and every send case of a select) is also a read of the channel itself, and close
 * and chan_free a write, as in Go: a close that no edge orders after a send is a race.
 */
#include "rt.h"
#include "race.h"

#include <stdlib.h>
#include <string.h>

typedef struct chan_waiter chan_waiter;

/* What a select shares among its records; lives in sel_park's frame. */
typedef struct chan_selstate {
    uint32_t claimed;     /* 0 until a waker wins this select (atomic exchange) */
    chan_waiter *fired;   /* the winner's record; written by the winning waker */
} chan_selstate;

struct chan_waiter {
    chan_waiter *next, *prev; /* links in one channel queue; valid while `queued` */
    rt_g *g;                  /* the parked goroutine */
    void *elem;               /* send: the value; receive: destination or NULL */
    chan_selstate *sel;       /* NULL for a plain send/receive */
    int case_index;           /* select: the case this record stands for */
    bool queued;              /* on a queue (cleared by whoever unlinks it) */
    bool done;                /* the waker completed the operation (unbuffered handoff) */
    bool closed;              /* ... by closing the channel (with done) */
};

/* The record of a plain send/receive: on the stack, or, with stack paging on, off it (stack.c),
 * so that queueing and waking never touch a parked, paged-out stack. */
static inline chan_waiter *chan_waiter_get(chan_waiter *local, void *elem)
{
    rt_g *g = sched_self();
    chan_waiter *w = stack_wait_rec(g, sizeof *w);
    if (!w)
        w = local;
    *w = (chan_waiter){.g = g, .elem = elem};
    return w;
}

typedef struct chan_waitq {
    chan_waiter *first, *last;
} chan_waitq;

struct chan {
    uint32_t lock;
    bool closed;
    size_t elem_size;
    size_t stride;        /* slot distance: elem_size, at least 1 so slots stay distinct */
    size_t cap, count;    /* buffered only: capacity, elements queued */
    size_t sendx, recvx;  /* next slot to fill / to empty */
    chan_waitq recvq, sendq;
    char buf[];           /* cap * stride bytes */
};

/* ---- waiter queues ------------------------------------------------------------------------ */

static inline void waitq_put(chan_waitq *q, chan_waiter *w, bool front)
{
    w->queued = true;
    if (!q->first) {
        w->next = w->prev = NULL;
        q->first = q->last = w;
    } else if (front) {
        w->prev = NULL;
        w->next = q->first;
        q->first->prev = w;
        q->first = w;
    } else {
        w->next = NULL;
        w->prev = q->last;
        q->last->next = w;
        q->last = w;
    }
}

static inline void waitq_unlink(chan_waitq *q, chan_waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        q->first = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->last = w->prev;
    w->queued = false;
}

/* Dequeue the first waiter that can still be woken (a select's record only if this call
 * wins the select).  Stale select records are dropped on the way. */
static inline chan_waiter *waitq_take(chan_waitq *q)
{
    chan_waiter *w;
    while ((w = q->first)) {
        waitq_unlink(q, w);
        if (!w->sel)
            return w;
        if (!__atomic_exchange_n(&w->sel->claimed, 1, __ATOMIC_ACQ_REL)) {
            w->sel->fired = w;
            return w;
        }
    }
    return NULL;
}

/* ---- make / len / cap / free ------------------------------------------------------------------ */

chan_t *chan_make(size_t elem_size, size_t cap)
{
    size_t stride = elem_size ? elem_size : 1;
    if (cap && stride > (SIZE_MAX - sizeof(chan_t)) / cap)
        rt_panic("makechan: size out of range");
    chan_t *ch = calloc(1, sizeof *ch + cap * stride);
    if (!ch)
        rt_throw("out of memory allocating a channel");
    ch->elem_size = elem_size;
    ch->stride = stride;
    ch->cap = cap;
    return ch;
}

size_t chan_len(chan_t *ch)
{
    return ch ? __atomic_load_n(&ch->count, __ATOMIC_RELAXED) : 0;
}

size_t chan_cap(chan_t *ch)
{
    return ch ? ch->cap : 0;
}

void chan_free(chan_t *ch)
{
    if (!ch)
        return;
    race_op_access(ch, true, (uintptr_t)__builtin_return_address(0), (const void *)chan_free);
    rt_lock(&ch->lock);
    bool busy = ch->recvq.first || ch->sendq.first;
    rt_unlock(&ch->lock);
    if (busy)
        rt_throw("chan_free of a channel with blocked goroutines");
    free(ch);
}

/* ---- the locked steps shared by send, receive and select ------------------------------------- */

/* Element copy.  Common scalar sizes become single moves instead of a libc call; size 0
 * copies nothing (chan struct{} sends may pass NULL, and memcpy(NULL, ..., 0) is UB). */
static inline void chan_copy(void *dst, const void *src, size_t n)
{
    switch (n) {
    case 0: return;
    case 1: memcpy(dst, src, 1); return;
    case 2: memcpy(dst, src, 2); return;
    case 4: memcpy(dst, src, 4); return;
    case 8: memcpy(dst, src, 8); return;
    case 16: memcpy(dst, src, 16); return;
    default: memcpy(dst, src, n);
    }
}

static inline char *chan_slot(chan_t *ch, size_t i)
{
    return ch->buf + i * ch->stride;
}

/* Both sides of a buffered transfer acquire the slot's history, then publish their own. */
static inline void chan_slot_sync(const char *slot)
{
    race_acquire(slot);
    race_release(slot);
}

/* Unbuffered handoff with parked waiter w: both directions of happens-before, joined
 * into both clocks at once (Go's racesync does the same on the waiter's behalf). */
static inline void chan_handoff_sync(const chan_waiter *w)
{
    race_handoff(w->g);
}

static RT_COLD _Noreturn void chan_panic_closed_send(void)
{
    rt_panic("send on closed channel");
}

/* Try to send *elem on locked ch.  Returns false if it would block; *wake is a goroutine
 * to make runnable once ch is unlocked.  Panics if ch is closed. */
static inline __attribute__((always_inline)) bool chan_trysend(chan_t *ch, const void *elem, rt_g **wake)
{
    if (RT_UNLIKELY(ch->closed))
        chan_panic_closed_send();
    chan_waiter *w;
    if (ch->cap == 0) {
        if (!(w = waitq_take(&ch->recvq)))
            return false;
        chan_handoff_sync(w);
        if (w->elem)
            chan_copy(w->elem, elem, ch->elem_size);
        w->done = true;
        *wake = w->g;
        return true;
    }
    if (ch->count == ch->cap)
        return false;
    char *slot = chan_slot(ch, ch->sendx);
    chan_slot_sync(slot);
    chan_copy(slot, elem, ch->elem_size);
    if (++ch->sendx == ch->cap)
        ch->sendx = 0;
    __atomic_store_n(&ch->count, ch->count + 1, __ATOMIC_RELAXED);
    if ((w = waitq_take(&ch->recvq)))
        *wake = w->g; /* to retry: the element waits in the buffer */
    return true;
}

enum { CHAN_BLOCK = 0, CHAN_GOT = 1, CHAN_CLOSED = -1 };

/* Try to receive from locked ch into elem (NULL drops the value).  Returns CHAN_GOT,
 * CHAN_CLOSED (elem zeroed) or CHAN_BLOCK; *wake as for chan_trysend. */
static inline __attribute__((always_inline)) int chan_tryrecv(chan_t *ch, void *elem, rt_g **wake)
{
    chan_waiter *w;
    if (ch->cap == 0) {
        if ((w = waitq_take(&ch->sendq))) {
            chan_handoff_sync(w);
            if (elem)
                chan_copy(elem, w->elem, ch->elem_size);
            w->done = true;
            *wake = w->g;
            return CHAN_GOT;
        }
    } else if (ch->count) {
        char *slot = chan_slot(ch, ch->recvx);
        chan_slot_sync(slot);
        if (elem)
            chan_copy(elem, slot, ch->elem_size);
        if (++ch->recvx == ch->cap)
            ch->recvx = 0;
        __atomic_store_n(&ch->count, ch->count - 1, __ATOMIC_RELAXED);
        if ((w = waitq_take(&ch->sendq)))
            *wake = w->g;
        return CHAN_GOT;
    }
    if (!ch->closed)
        return CHAN_BLOCK;
    race_acquire(ch);
    if (elem)
        memset(elem, 0, ch->elem_size);
    return CHAN_CLOSED;
}

static inline void chan_wake(rt_g *g)
{
    if (g)
        sched_ready(g);
}

/* Park for good (nil channel, empty select): only deadlock detection ends this. */
static RT_COLD _Noreturn void chan_block_forever(const char *reason)
{
    for (;;)
        sched_park(reason, NULL, NULL);
}

/* ---- send / receive / close ----------------------------------------------------------------- */

/* Slow path of chan_send, entered with ch locked and the send unable to proceed: park
 * until a receiver takes the element (done) or something changed (retry). */
static __attribute__((noinline)) void chan_send_park(chan_t *ch, const void *elem)
{
    for (bool again = false;; again = true) {
        chan_waiter local, *w = chan_waiter_get(&local, (void *)elem);
        waitq_put(&ch->sendq, w, again); /* a retry keeps its place at the front */
        sched_park("chan send", rt_unlock_cb, &ch->lock);
        if (w->done && w->closed)
            chan_panic_closed_send();
        if (w->done)
            return; /* the receiver joined our clocks (chan_handoff_sync) */
        rt_g *wake = NULL;
        rt_lock(&ch->lock);
        if (chan_trysend(ch, elem, &wake)) {
            rt_unlock(&ch->lock);
            chan_wake(wake);
            return;
        }
    }
}

void chan_send(chan_t *ch, const void *elem)
{
    uintptr_t pc = (uintptr_t)__builtin_return_address(0);
    sched_preempt_point();
    if (RT_UNLIKELY(!ch))
        chan_block_forever("chan send (nil chan)");
    race_op_access(ch, false, pc, (const void *)chan_send);
    race_read_range(elem, ch->elem_size, pc);
    rt_g *wake = NULL;
    rt_lock(&ch->lock);
    if (RT_UNLIKELY(!chan_trysend(ch, elem, &wake))) {
        chan_send_park(ch, elem);
        return;
    }
    rt_unlock(&ch->lock);
    chan_wake(wake);
}

/* Slow path of chan_recv, entered with ch locked and nothing to receive.  Returns
 * chan_recv's result; the caller reports the write to elem. */
static __attribute__((noinline)) bool chan_recv_park(chan_t *ch, void *elem, size_t n)
{
    for (bool again = false;; again = true) {
        chan_waiter local, *w = chan_waiter_get(&local, elem);
        waitq_put(&ch->recvq, w, again);
        sched_park("chan receive", rt_unlock_cb, &ch->lock);
        if (w->done && w->closed && elem)
            memset(elem, 0, n); /* here, not by the closer: our stack may be paged out */
        if (w->done)
            return !w->closed; /* the sender (or closer) joined our clocks */
        rt_g *wake = NULL;
        rt_lock(&ch->lock);
        int r = chan_tryrecv(ch, elem, &wake);
        if (r != CHAN_BLOCK) {
            rt_unlock(&ch->lock);
            chan_wake(wake);
            return r == CHAN_GOT;
        }
    }
}

bool chan_recv(chan_t *ch, void *elem)
{
    uintptr_t pc = (uintptr_t)__builtin_return_address(0);
    sched_preempt_point();
    if (RT_UNLIKELY(!ch))
        chan_block_forever("chan receive (nil chan)");
    size_t n = ch->elem_size; /* once a sender completed us, ch may be freed */
    rt_g *wake = NULL;
    rt_lock(&ch->lock);
    int r = chan_tryrecv(ch, elem, &wake);
    bool got;
    if (RT_UNLIKELY(r == CHAN_BLOCK)) {
        got = chan_recv_park(ch, elem, n);
    } else {
        rt_unlock(&ch->lock);
        chan_wake(wake);
        got = r == CHAN_GOT;
    }
    if (elem)
        race_write_range(elem, n, pc);
    return got;
}

/* Complete every waiter of q as closed: receivers zero their element, senders panic,
 * once they run, without touching the channel again: its user may free it right after
 * closing, as it may after any completed transfer. */
static rt_g *chan_drain_waiters(chan_waitq *q, rt_g *list)
{
    chan_waiter *w;
    while ((w = waitq_take(q))) {
        race_release_to(w->g); /* close before a receive that sees it */
        w->closed = w->done = true;
        w->g->schedlink = list;
        list = w->g;
    }
    return list;
}

void chan_close(chan_t *ch)
{
    uintptr_t pc = (uintptr_t)__builtin_return_address(0);
    sched_preempt_point();
    if (!ch)
        rt_panic("close of nil channel");
    race_op_access(ch, true, pc, (const void *)chan_close);
    rt_lock(&ch->lock);
    if (ch->closed) {
        rt_unlock(&ch->lock);
        rt_panic("close of closed channel");
    }
    race_release(ch);
    ch->closed = true;
    rt_g *list = chan_drain_waiters(&ch->recvq, NULL);
    list = chan_drain_waiters(&ch->sendq, list);
    rt_unlock(&ch->lock);
    while (list) {
        rt_g *next = list->schedlink;
        list->schedlink = NULL;
        sched_ready(list);
        list = next;
    }
}

/* ---- select ------------------------------------------------------------------------------------- */

/* The distinct channels of a select, in lock (address) order; `skip` is left alone. */
typedef struct chan_lockset {
    chan_t **chans;
    int n;
    chan_t *skip;
} chan_lockset;

static int sel_lockorder(const select_case_t *cases, int ncases, chan_t **out)
{
    int n = 0;
    for (int i = 0; i < ncases; i++) {
        chan_t *c = cases[i].ch;
        if (!c)
            continue;
        int j = n;
        while (j > 0 && (uintptr_t)out[j - 1] > (uintptr_t)c)
            j--;
        if (j > 0 && out[j - 1] == c)
            continue;
        memmove(&out[j + 1], &out[j], (size_t)(n - j) * sizeof *out);
        out[j] = c;
        n++;
    }
    return n;
}

static void sel_lock(const chan_lockset *ls)
{
    for (int i = 0; i < ls->n; i++)
        if (ls->chans[i] != ls->skip)
            rt_lock(&ls->chans[i]->lock);
}

/* Reverse order, and nothing of ls is read after the lowest lock is released: once it
 * is, the selecting goroutine may run on and return (see top comment). */
static void sel_unlock(void *arg)
{
    const chan_lockset *ls = arg;
    chan_t **c = ls->chans;
    for (int i = ls->n - 1; i >= 0; i--)
        if (c[i] != ls->skip)
            rt_unlock(&c[i]->lock);
}

/* A random permutation of the cases (Go picks uniformly among ready cases). */
static void sel_pollorder(int n, int *order)
{
    for (int i = 0; i < n; i++) {
        int j = (int)(sched_rand() % (uint64_t)(i + 1));
        order[i] = order[j];
        order[j] = i;
    }
}

/* Try case k with every channel locked.  True if it completed (c->ok set). */
static bool sel_trycase(select_case_t *c, rt_g **wake)
{
    if (!c->ch)
        return false;
    if (c->dir == SELECT_SEND)
        return c->ok = chan_trysend(c->ch, c->elem, wake);
    int r = chan_tryrecv(c->ch, c->elem, wake);
    c->ok = r == CHAN_GOT;
    return r != CHAN_BLOCK;
}

/* First ready case in poll order (`first`, when >= 0, is tried before all others). */
static int sel_poll(select_case_t *cases, int n, const int *order, int first, rt_g **wake)
{
    if (first >= 0 && sel_trycase(&cases[first], wake))
        return first;
    for (int i = 0; i < n; i++)
        if (order[i] != first && sel_trycase(&cases[order[i]], wake))
            return order[i];
    return -1;
}

/* Only the chosen case touches user memory (as in Go's selectgo).  n is its element
 * size, read before: the channel may be freed by now (sel_park). */
static void sel_finish(select_case_t *c, size_t n, uintptr_t pc)
{
    if (c->dir == SELECT_SEND)
        race_read_range(c->elem, n, pc);
    else if (c->elem)
        race_write_range(c->elem, n, pc);
}

/* How many cases wait on ch. */
static int sel_uses(const select_case_t *cases, int n, const chan_t *ch)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += cases[i].ch == ch;
    return k;
}

/* Park on every case; returns the case a waker completed, or -1 to poll again (woken
 * to retry, or to `*first` first). */
static int sel_park(select_case_t *cases, int n, chan_lockset *ls, int *first)
{
    chan_selstate st = {0};
    chan_waiter ws[n];
    rt_g *self = sched_self();
    for (int i = 0; i < n; i++) {
        ws[i] = (chan_waiter){.g = self, .elem = cases[i].elem, .sel = &st, .case_index = i};
        if (cases[i].ch)
            waitq_put(cases[i].dir == SELECT_SEND ? &cases[i].ch->sendq : &cases[i].ch->recvq,
                      &ws[i], false);
    }
    sched_park("select", sel_unlock, ls);
    /* Only the winner wakes us, after writing fired (and done).  A case it completed is
     * over, as a chan_send woken by its receiver is, so its user may already have freed
     * the channel: relock it only if another of our records still waits there. */
    chan_waiter *f = __atomic_load_n(&st.fired, __ATOMIC_ACQUIRE);
    chan_t *fch = f ? cases[f->case_index].ch : NULL;
    if (f && f->done && sel_uses(cases, n, fch) == 1)
        ls->skip = fch;
    sel_lock(ls);
    for (int i = 0; i < n; i++)
        if (ws[i].queued)
            waitq_unlink(cases[i].dir == SELECT_SEND ? &cases[i].ch->sendq : &cases[i].ch->recvq,
                         &ws[i]);
    *first = f ? f->case_index : -1;
    if (!f || !f->done)
        return -1; /* else the waker joined our clocks (chan_handoff_sync) */
    cases[f->case_index].ok = !f->closed; /* a send: chan_select panics */
    return f->case_index;
}

int chan_select(select_case_t *cases, int ncases, bool has_default)
{
    uintptr_t pc = (uintptr_t)__builtin_return_address(0);
    sched_preempt_point();
    if (ncases <= 0) {
        if (has_default)
            return -1;
        chan_block_forever("select (no cases)");
    }
    /* Every send case reads its channel, chosen or not: a close racing with it could
     * have made this select panic.  Element sizes are read now (sel_finish). */
    size_t esize[ncases];
    for (int i = 0; i < ncases; i++) {
        esize[i] = cases[i].ch ? cases[i].ch->elem_size : 0;
        if (cases[i].ch && cases[i].dir == SELECT_SEND)
            race_op_access(cases[i].ch, false, pc, (const void *)chan_select);
    }
    chan_t *chans[ncases];
    int order[ncases];
    chan_lockset ls = {chans, sel_lockorder(cases, ncases, chans), NULL};
    sel_pollorder(ncases, order);
    sel_lock(&ls);
    for (int first = -1;;) {
        rt_g *wake = NULL;
        int k = sel_poll(cases, ncases, order, first, &wake);
        if (k < 0 && has_default) {
            sel_unlock(&ls);
            return -1;
        }
        if (k < 0 && ls.n == 0) {
            sel_unlock(&ls);
            chan_block_forever("select");
        }
        if (k < 0)
            k = sel_park(cases, ncases, &ls, &first);
        if (k >= 0) {
            sel_unlock(&ls);
            chan_wake(wake);
            if (!cases[k].ok && cases[k].dir == SELECT_SEND)
                chan_panic_closed_send(); /* completed by chan_close */
            if (!cases[k].ok && cases[k].elem)
                memset(cases[k].elem, 0, esize[k]);
            sel_finish(&cases[k], esize[k], pc);
            return k;
        }
    }
}
