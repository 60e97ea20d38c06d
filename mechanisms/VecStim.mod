TITLE VecStim: an artificial cell that fires at the times of a vector

COMMENT
play(vec) hands the cell a vector of increasing spike times (ms); from the
next initialization on, the cell emits an event at each of them (times
before the start of the run fire at once).  play() without argument
forgets the vector.  The vector stays owned by the caller.
Written for ranvier from NEURON's documented behaviour.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL VecStim
    THREADSAFE
    BBCOREPOINTER ptr
}

ASSIGNED {
    index
    etime (ms)
    ptr
}

VERBATIM
/* CoreNEURON data transfer hooks (nrnivmodl requires them with a
 * BBCOREPOINTER): nothing is transferred yet. */
static void bbcore_write(double *x, int *d, int *xx, int *offset, _threadargsproto_) {
    (void)x, (void)d, (void)xx, (void)offset;
}
static void bbcore_read(double *x, int *d, int *xx, int *offset, _threadargsproto_) {
    (void)x, (void)d, (void)xx, (void)offset;
}
ENDVERBATIM

INITIAL {
    index = 0
    element()
    if (index > 0) {
        net_send(etime - t, 1)
    }
}

NET_RECEIVE (w) {
    if (flag == 1) {
        net_event(t)
        element()
        if (index > 0) {
            net_send(etime - t, 1)
        }
    }
}

: etime = the next time of the vector and index advanced, or index = -1
PROCEDURE element() {
VERBATIM
    {
        int k = (int)index;
        void *vec = _p_ptr;
        if (k < 0 || !vec || k >= vector_capacity(vec)) {
            index = -1.;
        } else {
            etime = vector_vec(vec)[k];
            index = index + 1.;
        }
    }
ENDVERBATIM
}

PROCEDURE play() {
VERBATIM
    _p_ptr = ifarg(1) ? vector_arg(1) : NULL;
ENDVERBATIM
}
