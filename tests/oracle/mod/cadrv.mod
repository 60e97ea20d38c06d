NEURON {
    SUFFIX cadrv
    USEION ca READ ica WRITE cai
    RANGE k, tau, cainf
}
UNITS { (mA) = (milliamp) (mM) = (milli/liter) }
PARAMETER { k = 0.05 tau = 20 (ms) cainf = 5e-5 (mM) }
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
INITIAL { cai = cainf }
BREAKPOINT { SOLVE state METHOD cnexp }
DERIVATIVE state { cai' = -ica*k - (cai - cainf)/tau }
