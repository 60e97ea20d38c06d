TITLE NetStim: a spike train generator, regular or with exponential noise

COMMENT
An artificial cell that fires `number` spikes, the first at `start`, then
every `interval` ms.  With 0 < noise <= 1 each interval is the sum of a fixed
part (1 - noise)*interval and an exponentially distributed part of mean
noise*interval, drawn from a Random123 stream (noiseFromRandom123(id1, id2,
id3), or the driver's rv_pp_set_random123).  The stream restarts from its
first draw at every initialization.  An event of positive weight starts a
new train when the cell is off, an event of negative weight stops it.
Written for ranvier from NEURON's documented behaviour.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL NetStim
    THREADSAFE
    RANGE interval, number, start, noise
    BBCOREPOINTER donotuse
}

PARAMETER {
    interval = 10 (ms) <1e-9, 1e9>
    number = 10 <0, 1e9>
    start = 50 (ms)
    noise = 0 <0, 1>
}

ASSIGNED {
    event (ms)
    on
    ispike
    donotuse
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
VERBATIM
    if (_p_donotuse) {
        nrnran123_setseq((nrnran123_State *)_p_donotuse, 0, 0);
    }
ENDVERBATIM
    on = 0
    ispike = 0
    if (noise < 0) {
        noise = 0
    }
    if (noise > 1) {
        noise = 1
    }
    if (start >= 0 && number > 0) {
        on = 1
        event = start + invl(interval) - interval*(1. - noise)
        if (event < 0) {
            event = 0
        }
        net_send(event, 3)
    }
}

PROCEDURE init_sequence(t (ms)) {
    if (number > 0) {
        on = 1
        event = 0
        ispike = 0
    }
}

FUNCTION invl(mean (ms)) (ms) {
    if (mean <= 0.) {
        mean = .01
    }
    if (noise == 0) {
        invl = mean
    } else {
        invl = (1. - noise)*mean + noise*mean*erand()
    }
}

FUNCTION erand() {
VERBATIM
    if (_p_donotuse) {
        _lerand = nrnran123_negexp((nrnran123_State *)_p_donotuse);
    } else {
        hoc_execerror("NetStim: noise > 0 needs a Random123 stream", "(noiseFromRandom123)");
        _lerand = 1.0;
    }
ENDVERBATIM
}

PROCEDURE noiseFromRandom123() {
VERBATIM
    if (_p_donotuse) {
        nrnran123_deletestream((nrnran123_State *)_p_donotuse);
        _p_donotuse = NULL;
    }
    if (ifarg(3)) {
        _p_donotuse = nrnran123_newstream3((uint32_t)*getarg(1), (uint32_t)*getarg(2),
                                           (uint32_t)*getarg(3));
    } else if (ifarg(2)) {
        _p_donotuse = nrnran123_newstream((uint32_t)*getarg(1), (uint32_t)*getarg(2));
    }
ENDVERBATIM
}

PROCEDURE next_invl() {
    if (number > 0) {
        event = invl(interval)
    }
    if (ispike >= number) {
        on = 0
    }
}

NET_RECEIVE (w) {
    if (flag == 0) {
        if (w > 0 && on == 0) {
            init_sequence(t)
            next_invl()
            event = event - interval*(1. - noise)
            net_send(event, 1)
        } else if (w < 0) {
            on = 0
        }
    }
    if (flag == 3) {
        if (on == 1) {
            init_sequence(t)
            net_send(0, 1)
        }
    }
    if (flag == 1 && on == 1) {
        ispike = ispike + 1
        net_event(t)
        next_invl()
        if (on == 1) {
            net_send(event, 1)
        }
    }
}
