NEURON {
    SUFFIX carv
    USEION ca READ eca WRITE ica
    RANGE gbar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { gbar = 0.0005 (S/cm2) }
ASSIGNED { v (mV) eca (mV) ica (mA/cm2) }
BREAKPOINT { ica = gbar * (v - eca) }
