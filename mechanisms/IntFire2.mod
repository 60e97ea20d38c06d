TITLE IntFire2: integrate-and-fire cell driven by a decaying synaptic current

COMMENT
Two coupled linear relaxations, solved analytically between events:
    taus di/dt + i = ib          (synaptic current; an event of weight w
                                  adds w to i)
    taum dm/dt + m = i           (membrane state)
The cell fires when m reaches 1 and m restarts from 0.  taum < taus is
required (taus is raised to taum + 0.1 at INITIAL otherwise).  After each
event the firing time is computed by Newton's method and kept as a pending
self event (flag 1) that later input moves with net_move.
Written for ranvier.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL IntFire2
    RANGE taus, taum, ib, i, m
}

PARAMETER {
    taus = 20 (ms)
    taum = 10 (ms)
    ib = 0
}

ASSIGNED {
    i
    m
    t0 (ms)
}

: m at time t (the stored m, i are the values at t0)
FUNCTION M() {
    LOCAL a, k
    k = taus/(taus - taum)
    a = (i - ib)*exp(-(t - t0)/taus)
    M = ib + k*a + (m - (ib + (i - ib)*k))*exp(-(t - t0)/taum)
}

: i at time t
FUNCTION I() {
    LOCAL a, k
    k = taus/(taus - taum)
    a = (i - ib)*exp(-(t - t0)/taus)
    I = a + ib
}

INITIAL {
    i = ib
    m = 0
    if (taus <= taum) {
        taus = taum + .1
    }
    t0 = t
    net_send(firetime(ib, 0, 0), 1)
}

NET_RECEIVE (w) {
    LOCAL a, inew, k, ibk
    k = taus/(taus - taum)
    a = (i - ib)*exp(-(t - t0)/taus)
    inew = ib + a
    if (flag == 1) {
        : the predicted firing time has come
        net_event(t)
        m = 0
        ibk = (inew - ib)*k
        net_send(firetime(ib, ibk, 0), 1)
    } else {
        m = ib + k*a + (m - (ib + (i - ib)*k))*exp(-(t - t0)/taum)
        inew = inew + w
        if (m >= 1) {
            net_move(t)
        } else {
            ibk = (inew - ib)*k
            net_move(firetime(ib, ibk, m) + t)
        }
    }
    t0 = t
    i = inew
}

: Time from now at which m = a + b exp(-s/taus) + (c - a - b) exp(-s/taum)
: reaches 1 (1e9 when it never does).  With x = exp(-s/taum) and
: r = taum/taus this is 1 = a + b x^r + (c - a - b) x on 0 < x <= 1; when
: the slope at x = 1 points out of the domain the equation is solved in
: y = exp(-s/taus) instead: 1 = a + b y + (c - a - b) y^(1/r).
FUNCTION firetime(a, b, c) (ms) {
    LOCAL r, cab, x, slope, f
    r = taum/taus
    if (a <= 1 && a + b <= 1) {
        firetime = 1e9
    } else if (a > 1 && b <= 0) {
        cab = c - a - b
        slope = r*b + cab
        if (slope >= 0) {
            firetime = -taus*log(newton1(a, cab, b, 1/r, 0))
        } else {
            x = (1 - c + slope)/slope
            if (x <= 0) {
                firetime = -taus*log(newton1(a, cab, b, 1/r, 0))
            } else {
                firetime = -taum*log(newton1(a, b, cab, r, x))
            }
        }
    } else {
        cab = c - a - b
        : location of the maximum; it can lie beyond x = 1
        x = (-cab/(r*b))^(1/(r - 1))
        f = a + b*x^r + cab*x
        if (x >= 1 || f <= 1) {
            firetime = 1e9
        } else {
            slope = r*b + cab
            x = (1 - c + slope)/slope
            firetime = -taum*log(newton1(a, b, cab, r, x))
        }
    }
}

: Newton's method for 1 = a + b x^r + c x from x, kept in 0 < x <= 1
FUNCTION newton1(a, b, c, r, x) {
    LOCAL dx, f, df, n
    dx = 1
    f = 0
    n = 0
    while (fabs(dx) > 1e-6 || fabs(f - 1) > 1e-6) {
        f = a + b*x^r + c*x
        df = r*b*x^(r - 1) + c
        dx = (1 - f)/df
        x = x + dx
        if (x <= 0) {
            x = 1e-4
        } else if (x > 1) {
            x = 1
        }
        n = n + 1
        if (n > 10) {
            f = 1
            dx = 0
        }
    }
    newton1 = x
}
