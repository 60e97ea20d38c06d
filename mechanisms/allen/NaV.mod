: NaV -- sodium channel as a Markov scheme (Carter, Giessel, Sabatini & Bean
: 2012 twelve-state model) of the Allen Institute perisomatic models.
: Written for ranvier from the published scheme; Q10 2.3 referred to 37 degC.
:   closed C1..C5 -> open O, inactivated I1..I6 (I6 from O); activation
:   steps C(k) -> C(k+1) at (4-k+1) alpha exp(v/x1), back at k beta exp(v/x2);
:   in the inactivated row alpha*alfac and beta/btfac; C(k) -> I(k) at
:   Con alfac^(k-1), back at Coff/btfac^(k-1); C5 <-> O at gamma/delta,
:   I5 <-> I6 at gamma/delta, O <-> I6 at Oon/Ooff.   ina = gbar O (v - ena).
: Difference from the published file: the initial state is the scheme's
: steady state at v (STEADYSTATE sparse); the published model solves a
: hand-written linear system instead.
NEURON {
    SUFFIX NaV
    USEION na READ ena WRITE ina
    RANGE gbar, g
}
UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}
PARAMETER {
    gbar = 0.015 (S/cm2)
    Con = 0.01 (/ms)
    Coff = 40 (/ms)
    Oon = 8 (/ms)
    Ooff = 0.05 (/ms)
    alpha = 400 (/ms)
    beta = 12 (/ms)
    gamma = 250 (/ms)
    delta = 60 (/ms)
    alfac = 2.51
    btfac = 5.32
    x1 = 24 (mV)
    x2 = -24 (mV)
}
ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    g (S/cm2)
    celsius (degC)
    f01 (/ms)
    f02 (/ms)
    f03 (/ms)
    f04 (/ms)
    f0O (/ms)
    f11 (/ms)
    f12 (/ms)
    f13 (/ms)
    f14 (/ms)
    f1n (/ms)
    fi1 (/ms)
    fi2 (/ms)
    fi3 (/ms)
    fi4 (/ms)
    fi5 (/ms)
    fin (/ms)
    b01 (/ms)
    b02 (/ms)
    b03 (/ms)
    b04 (/ms)
    b0O (/ms)
    b11 (/ms)
    b12 (/ms)
    b13 (/ms)
    b14 (/ms)
    b1n (/ms)
    bi1 (/ms)
    bi2 (/ms)
    bi3 (/ms)
    bi4 (/ms)
    bi5 (/ms)
    bin (/ms)
}
STATE {
    C1 FROM 0 TO 1
    C2 FROM 0 TO 1
    C3 FROM 0 TO 1
    C4 FROM 0 TO 1
    C5 FROM 0 TO 1
    I1 FROM 0 TO 1
    I2 FROM 0 TO 1
    I3 FROM 0 TO 1
    I4 FROM 0 TO 1
    I5 FROM 0 TO 1
    O FROM 0 TO 1
    I6 FROM 0 TO 1
}
BREAKPOINT {
    SOLVE scheme METHOD sparse
    g = gbar*O
    ina = g*(v - ena)
}
INITIAL {
    rates(v)
    SOLVE scheme STEADYSTATE sparse
}
KINETIC scheme {
    rates(v)
    ~ C1 <-> C2 (f01, b01)
    ~ C2 <-> C3 (f02, b02)
    ~ C3 <-> C4 (f03, b03)
    ~ C4 <-> C5 (f04, b04)
    ~ C5 <-> O (f0O, b0O)
    ~ O <-> I6 (fin, bin)
    ~ I1 <-> I2 (f11, b11)
    ~ I2 <-> I3 (f12, b12)
    ~ I3 <-> I4 (f13, b13)
    ~ I4 <-> I5 (f14, b14)
    ~ I5 <-> I6 (f1n, b1n)
    ~ C1 <-> I1 (fi1, bi1)
    ~ C2 <-> I2 (fi2, bi2)
    ~ C3 <-> I3 (fi3, bi3)
    ~ C4 <-> I4 (fi4, bi4)
    ~ C5 <-> I5 (fi5, bi5)
    CONSERVE C1 + C2 + C3 + C4 + C5 + O + I1 + I2 + I3 + I4 + I5 + I6 = 1
}
PROCEDURE rates(u (mV)) {
    LOCAL qt, ea, eb
    qt = 2.3^((celsius - 37)/10)
    ea = exp(u/x1)
    eb = exp(u/x2)
    f01 = qt*4*alpha*ea
    f02 = qt*3*alpha*ea
    f03 = qt*2*alpha*ea
    f04 = qt*1*alpha*ea
    f0O = qt*gamma
    f11 = qt*4*alpha*alfac*ea
    f12 = qt*3*alpha*alfac*ea
    f13 = qt*2*alpha*alfac*ea
    f14 = qt*1*alpha*alfac*ea
    f1n = qt*gamma
    fi1 = qt*Con
    fi2 = qt*Con*alfac
    fi3 = qt*Con*alfac^2
    fi4 = qt*Con*alfac^3
    fi5 = qt*Con*alfac^4
    fin = qt*Oon
    b01 = qt*1*beta*eb
    b02 = qt*2*beta*eb
    b03 = qt*3*beta*eb
    b04 = qt*4*beta*eb
    b0O = qt*delta
    b11 = qt*1*beta*eb/btfac
    b12 = qt*2*beta*eb/btfac
    b13 = qt*3*beta*eb/btfac
    b14 = qt*4*beta*eb/btfac
    b1n = qt*delta
    bi1 = qt*Coff
    bi2 = qt*Coff/btfac
    bi3 = qt*Coff/(btfac^2)
    bi4 = qt*Coff/(btfac^3)
    bi5 = qt*Coff/(btfac^4)
    bin = qt*Ooff
}
