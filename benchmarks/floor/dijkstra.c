/* Compiled floor of the network benchmark: plain C Dijkstra on the benchmark's CSR arrays.
 *
 * Built by benchmarks/bench_network.py itself with the system compiler (cc -O2 -shared -fPIC)
 * into a temporary folder and loaded with ctypes; never committed as a binary.
 *
 * Two queues: a binary heap with lazy deletion, and a bucket queue (Dial) of width w (valid
 * when no arc is shorter than w).  Two jobs: nearest source for every node (multi-source,
 * with the source's label) and, per source, a bounded search whose reached nodes are counted.
 * Seeds are (node, initial distance) pairs; a search's seeds are seed[ptr[s]:ptr[s+1]].
 * Bucket searches need each search's seeds sorted by distance.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

typedef int64_t i64;
typedef uint32_t idx; /* CSR index type: the uint32 arrays our engine's kernels read */

typedef struct {
    double *d;
    idx *n;
    i64 size;
} heap_t;

static void heap_push(heap_t *h, double d, idx n) {
    i64 i = h->size++;
    while (i > 0) {
        i64 p = (i - 1) >> 1;
        if (h->d[p] <= d) break;
        h->d[i] = h->d[p];
        h->n[i] = h->n[p];
        i = p;
    }
    h->d[i] = d;
    h->n[i] = n;
}

static void heap_pop(heap_t *h, double *d, idx *n) {
    *d = h->d[0];
    *n = h->n[0];
    i64 size = --h->size;
    if (size == 0) return;
    double ld = h->d[size];
    idx ln = h->n[size];
    i64 i = 0;
    for (;;) {
        i64 c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && h->d[c + 1] < h->d[c]) c++;
        if (h->d[c] >= ld) break;
        h->d[i] = h->d[c];
        h->n[i] = h->n[c];
        i = c;
    }
    h->d[i] = ld;
    h->n[i] = ln;
}

/* one search from seeds lo..hi with a heap; settled nodes listed in order[]; returns count */
static i64 settle_heap(const idx *indptr, const idx *head, const double *w, const idx *sn,
                       const double *sd, const i64 *sl, i64 lo, i64 hi, double maxd,
                       double *dist, char *done, i64 *lab, heap_t *h, idx *order) {
    h->size = 0;
    for (i64 j = lo; j < hi; j++) {
        if (sd[j] <= maxd && sd[j] < dist[sn[j]]) {
            dist[sn[j]] = sd[j];
            if (lab) lab[sn[j]] = sl[j];
            heap_push(h, sd[j], sn[j]);
        }
    }
    i64 k = 0;
    while (h->size > 0) {
        double d;
        idx u;
        heap_pop(h, &d, &u);
        if (done[u]) continue;
        done[u] = 1;
        order[k++] = u;
        for (idx a = indptr[u]; a < indptr[u + 1]; a++) {
            idx v = head[a];
            double nd = d + w[a];
            if (nd <= maxd && nd < dist[v]) {
                dist[v] = nd;
                if (lab) lab[v] = lab[u];
                heap_push(h, nd, v);
            }
        }
    }
    return k;
}

typedef struct {
    i64 *bhead, *next;
    idx *node;
    i64 mask;
    double inv;
} buckets_t;

static i64 settle_bucket(const idx *indptr, const idx *head, const double *w, const idx *sn,
                         const double *sd, const i64 *sl, i64 lo, i64 hi, double maxd,
                         double *dist, char *done, i64 *lab, buckets_t *q, idx *order) {
    i64 k = 0, sp = lo, freel = -1, top = 0, live = 0;
    if (sp >= hi) return 0;
    i64 b = (i64)(sd[sp] * q->inv);
    for (;;) {
        while (sp < hi) {
            double d0 = sd[sp];
            if (d0 > maxd) { sp = hi; break; }
            if ((i64)(d0 * q->inv) > b) break;
            idx u = sn[sp];
            if (d0 < dist[u]) {
                dist[u] = d0;
                if (lab) lab[u] = sl[sp];
                i64 e = freel >= 0 ? freel : top++;
                if (e == freel) freel = q->next[e];
                q->node[e] = u;
                q->next[e] = q->bhead[b & q->mask];
                q->bhead[b & q->mask] = e;
                live++;
            }
            sp++;
        }
        i64 slot = b & q->mask, e = q->bhead[slot];
        if (e < 0) {
            if (live == 0) {
                if (sp >= hi) break;
                b = (i64)(sd[sp] * q->inv);
            } else {
                b++;
            }
            continue;
        }
        q->bhead[slot] = q->next[e];
        idx u = q->node[e];
        q->next[e] = freel;
        freel = e;
        live--;
        if (done[u]) continue;
        done[u] = 1;
        order[k++] = u;
        double d = dist[u];
        for (idx a = indptr[u]; a < indptr[u + 1]; a++) {
            idx v = head[a];
            double nd = d + w[a];
            if (nd <= maxd && nd < dist[v]) {
                dist[v] = nd;
                if (lab) lab[v] = lab[u];
                i64 bb = (i64)(nd * q->inv);
                if (bb < b) bb = b;
                i64 f = freel >= 0 ? freel : top++;
                if (f == freel) freel = q->next[f];
                q->node[f] = v;
                q->next[f] = q->bhead[bb & q->mask];
                q->bhead[bb & q->mask] = f;
                live++;
            }
        }
    }
    return k;
}

typedef struct {
    double *dist;
    char *done;
    idx *order;
    heap_t h;
    buckets_t q;
} work_t;

static int work_init(work_t *wk, i64 n, i64 cap, double width, i64 mask) {
    wk->dist = malloc(n * sizeof(double));
    wk->done = calloc(n, 1);
    wk->order = malloc(n * sizeof(idx));
    wk->h.d = malloc(cap * sizeof(double));
    wk->h.n = malloc(cap * sizeof(idx));
    wk->q.bhead = malloc((mask + 1) * sizeof(i64));
    wk->q.next = malloc(cap * sizeof(i64));
    wk->q.node = wk->h.n;
    wk->q.mask = mask;
    wk->q.inv = width > 0 ? 1.0 / width : 0.0;
    if (!wk->dist || !wk->done || !wk->order || !wk->h.d || !wk->h.n || !wk->q.bhead ||
        !wk->q.next)
        return -1;
    for (i64 i = 0; i < n; i++) wk->dist[i] = INFINITY;
    for (i64 i = 0; i <= mask; i++) wk->q.bhead[i] = -1;
    return 0;
}

static void work_free(work_t *wk) {
    free(wk->dist); free(wk->done); free(wk->order); free(wk->h.d); free(wk->h.n);
    free(wk->q.bhead); free(wk->q.next);
}

static i64 settle(const idx *indptr, const idx *head, const double *w, const idx *sn,
                  const double *sd, const i64 *sl, i64 lo, i64 hi, double maxd, i64 *lab,
                  double width, work_t *wk) {
    if (width > 0)
        return settle_bucket(indptr, head, w, sn, sd, sl, lo, hi, maxd, wk->dist, wk->done,
                             lab, &wk->q, wk->order);
    return settle_heap(indptr, head, w, sn, sd, sl, lo, hi, maxd, wk->dist, wk->done, lab,
                       &wk->h, wk->order);
}

/* nearest seed of every node: out_dist (inf where none), out_lab (-1 where none) */
int floor_nearest(i64 n, const idx *indptr, const idx *head, const double *w, i64 n_seed,
                  const idx *sn, const double *sd, const i64 *sl, double maxd, double width,
                  i64 mask, double *out_dist, i64 *out_lab) {
    work_t wk;
    if (work_init(&wk, n, indptr[n] + n_seed + 1, width, mask)) return -1;
    for (i64 i = 0; i < n; i++) out_lab[i] = -1;
    settle(indptr, head, w, sn, sd, sl, 0, n_seed, maxd, out_lab, width, &wk);
    for (i64 i = 0; i < n; i++) out_dist[i] = wk.dist[i];
    work_free(&wk);
    return 0;
}

/* number of searches (one per source, bounded by maxd) that reach each node */
int floor_count(i64 n, const idx *indptr, const idx *head, const double *w, i64 n_search,
                const i64 *ptr, const idx *sn, const double *sd, double maxd, double width,
                i64 mask, i64 *out_count) {
    work_t wk;
    if (work_init(&wk, n, indptr[n] + ptr[n_search] + 1, width, mask)) return -1;
    for (i64 i = 0; i < n; i++) out_count[i] = 0;
    for (i64 s = 0; s < n_search; s++) {
        i64 k = settle(indptr, head, w, sn, sd, NULL, ptr[s], ptr[s + 1], maxd, NULL, width,
                       &wk);
        for (i64 i = 0; i < k; i++) {
            idx u = wk.order[i];
            out_count[u]++;
            wk.dist[u] = INFINITY;
            wk.done[u] = 0;
        }
    }
    work_free(&wk);
    return 0;
}
