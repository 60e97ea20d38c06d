NEURON { SUFFIX d }
DEFINE NA 4
ASSIGNED { y[NA] }
STATE { c[NA] }
INITIAL { LOCAL k FROM k = 0 TO NA - 1 { y[k] = k c[k] = 0 } }
