#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The oracle cases of tests/oracle with every mechanism that has a .mod twin
compiled by ranvier's NMODL compiler (mechanisms/*.mod, tests/oracle/mod/*.mod)
and loaded in place of the built-in / hand-written C version.

Usage: nmodl_oracle.py CASE RVSIM_NMODL MECHDIRS [--secondorder 0|2]

For each secondorder the model runs in NEURON (live), in ranvier with the
built-in mechanisms and in ranvier with the compiled ones; prints max |dV|
of compiled vs NEURON and compiled vs built-in, and passes when the compiled
run is within 1e-6 mV of NEURON with identical spikes."""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))
import cases  # noqa: E402
import oracle  # noqa: E402


def maxdiff(a, b):
    m = 0.0
    for x, y in zip(a[1], b[1]):
        for p, q in zip(x, y):
            m = max(m, abs(p - q))
    return m


def loaded_names(lines, rvsim):
    """Run rvsim once more to read which compiled mechanisms it loaded."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        mp, op = os.path.join(d, "m.txt"), os.path.join(d, "o.txt")
        with open(mp, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = subprocess.run([rvsim, mp, op], capture_output=True, text=True)
        for ln in r.stderr.split("\n"):
            if ln.startswith("mechlib:"):
                return ln.split()[1:]
    return []


EXPECT = ["hh", "pas", "IClamp", "ExpSyn", "Exp2Syn", "IntFire1", "NetStim", "carv", "cadrv"]


def case_features(so):
    """Our test mechanisms of tests/nmodl/mod (nrnivmodl for NEURON, ranvier
    for ranvier): euler, GLOBALs set at run time, FUNCTION TABLE with DEPEND,
    a point process writing ica, NET_RECEIVE weight state and INITIAL, self
    events from INITIAL and NET_RECEIVE, an ARTIFICIAL_CELL."""
    moddir = os.path.join(HERE, "mod")
    L = cases.header(so, 120, ["nrnmech " + moddir, "celsius 16"])
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "insert soma nmeuler", "rangeall soma gbar_nmeuler 0.0004",
          "section dend 3", "geom dend 150 2 100 1", "insert dend pas", "insert dend nmeuler",
          "connect dend 0 soma 1",
          "pp syn nmpp soma 0.5", "ppset syn tau 4", "pp syn2 nmpp dend 0.8",
          "pp st IClamp soma 0.5", "ppset st del 2", "ppset st dur 100", "ppset st amp 0.12",
          "gidsec 0 soma 0.5 -20",
          "cell 1", "art pm nmart", "ppset pm interval 6", "gidpp 1 pm",
          "cell 0", "netcon 1 syn 1.5 0.3", "netcon 1 syn2 2 0.8", "netcon 0 syn2 1 0.2",
          "record soma 0.5 v", "record dend 0.5 v", "record soma 0.5 s_nmeuler",
          "record soma 0.5 ica", "record soma 0.5 i_nmeuler",
          "recordpp syn z", "recordpp syn g", "recordpp syn2 z", "recordpp pm count",
          "global gg_nmeuler 1.5", "global vhalf_nmeuler -45"]
    return L


cases.CASES["features"] = case_features


def case_solvers(so):
    """derivimplicit (nmcad: non-linear pump and gate) and KINETIC/sparse
    (nmkin: 3-state channel with CONSERVE and STEADYSTATE init; nmbuf:
    buffer with COMPARTMENT, bimolecular reaction and a << flux, the reactions'
    f_flux/b_flux read into range variables)."""
    moddir = os.path.join(HERE, "mod")
    L = cases.header(so, 60, ["nrnmech " + moddir, "celsius 16"])
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "insert soma nmcad", "insert soma nmkin", "rangeall soma gbar_nmkin 0.02",
          "section dend 3", "geom dend 150 2 100 1", "insert dend pas", "insert dend nmkin",
          "insert dend nmbuf", "connect dend 0 soma 1",
          "pp st IClamp soma 0.5", "ppset st del 2", "ppset st dur 100", "ppset st amp 0.15",
          "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record dend 0.5 v", "record soma 0.5 cai",
          "record soma 0.5 m_nmcad", "record soma 0.5 o_nmkin", "record soma 0.5 i_nmkin",
          "record dend 0.5 cai", "record dend 0.5 cab_nmbuf", "record dend 0.5 o_nmkin",
          "record dend 0.5 bind_nmbuf", "record dend 0.5 inflow_nmbuf"]
    return L


cases.CASES["solvers"] = case_solvers


def case_lang(so):
    """Language gaps (tests/nmodl/mod): a CONSTRUCTOR setting a RANGE
    variable from a PARAMETER's default while the user sets the PARAMETER
    (nmctor: NEURON runs the constructor at creation), DERIVATIVE blocks
    called as procedures in INITIAL (nmctor: cnexp, one step; nmdcall:
    derivimplicit, called twice: the states stay), FOR_NETCONS (nmfornc),
    set_seed / scop_random / normrand / exprand / poisrand (nmscop), x'
    read in an expression of a DERIVATIVE block (nmprimed, nmprimee), SOLVE
    in INITIAL without STEADYSTATE (nminitsv), KINETIC reactions of STATE
    arrays (nmkarr: in a FROM loop; nmkarc: constant indices, CONSERVE)."""
    moddir = os.path.join(HERE, "mod")
    L = cases.header(so, 40, ["nrnmech " + moddir, "celsius 16"])
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "insert soma nmdcall", "section dend 3", "geom dend 150 2 100 1", "insert dend pas",
          "insert dend nmdcall", "rangeall dend gbar_nmdcall 0.0006", "connect dend 0 soma 1",
          "pp c1 nmctor soma 0.5", "ppset c1 k 4", "pp c2 nmctor dend 0.3",
          "ppset c2 tau 5", "pp st IClamp soma 0.5", "ppset st del 2", "ppset st dur 30",
          "ppset st amp 0.15", "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record dend 0.5 v", "record soma 0.5 x_nmdcall",
          "record soma 0.5 xi_nmdcall", "record dend 0.5 xi_nmdcall", "recordpp c1 z",
          "recordpp c1 made", "recordpp c1 zi", "recordpp c2 made", "recordpp c2 zi",
          "recordpp c2 i"]
    # FOR_NETCONS (nmfornc: three NetCons onto s1, one onto s2) and the scop
    # random generator (nmscop: set_seed in the soma, draws in node order)
    L += ["insert soma nmscop", "rangeall soma seed_nmscop 7", "insert dend nmscop",
          "pp s1 nmfornc soma 0.5", "pp s2 nmfornc dend 0.6", "ppset s2 tau 4",
          "cell 1", "art ns NetStim", "ppset ns interval 7", "ppset ns number 5",
          "ppset ns start 3", "ppset ns noise 0", "gidpp 1 ns",
          "cell 0", "netcon 1 s1 1 0.002", "netcon 1 s1 2.5 0.001", "netcon 1 s2 1.5 0.003",
          "netcon 0 s1 1 0.004",
          "recordpp s1 g", "recordpp s1 tot", "recordpp s2 g", "recordpp s2 tot",
          "record soma 0.5 r1_nmscop", "record soma 0.5 r2_nmscop", "record soma 0.5 r3_nmscop",
          "record dend 0.1 r1_nmscop", "record dend 0.5 r2_nmscop", "record dend 0.9 r3_nmscop",
          "record soma 0.5 r4_nmscop", "record soma 0.5 r5_nmscop", "record dend 0.1 r4_nmscop",
          "record dend 0.9 r5_nmscop"]
    # x' read in an expression of a DERIVATIVE block: derivimplicit (nmprimed)
    # and euler (nmprimee)
    L += ["insert soma nmprimed", "insert dend nmprimed", "insert soma nmprimee",
          "rangeall dend gbar_nmprimed 0.0008",
          "record soma 0.5 m_nmprimed", "record soma 0.5 h_nmprimed",
          "record soma 0.5 rate_nmprimed", "record dend 0.5 rate_nmprimed",
          "record soma 0.5 h_nmprimee", "record soma 0.5 rate_nmprimee"]
    # SOLVE in INITIAL without STEADYSTATE (nminitsv: KINETIC and derivimplicit)
    L += ["insert soma nminitsv", "insert dend nminitsv", "rangeall dend gbar_nminitsv 0.001",
          "record soma 0.5 o_nminitsv", "record soma 0.5 w_nminitsv",
          "record dend 0.5 c_nminitsv", "record dend 0.5 w_nminitsv",
          "record dend 0.5 i_nminitsv"]
    # KINETIC reactions of STATE arrays: in a FROM loop (nmkarr), constant
    # indices with CONSERVE and STEADYSTATE (nmkarc)
    L += ["insert soma nmkarr", "insert dend nmkarr", "rangeall dend gbar_nmkarr 0.004",
          "record soma 0.5 ob_nmkarr", "record dend 0.5 ob_nmkarr", "record dend 0.5 i_nmkarr",
          "insert soma nmkarc", "insert dend nmkarc", "record soma 0.5 O_nmkarc",
          "record dend 0.5 i_nmkarc"]
    return L


cases.CASES["lang"] = case_lang


def only_mods(names):
    """A temporary folder holding mechanisms/NAME.mod for each name (NEURON
    compiles it with nrnivmodl; the rest of mechanisms/ duplicates its
    built-ins)."""
    import shutil
    import tempfile
    d = tempfile.mkdtemp(prefix="rvnmodl")
    for n in names:
        shutil.copy(os.path.join(HERE, "..", "..", "mechanisms", n + ".mod"), d)
    return d


def case_gap(so):
    """POINTER: two hh cells coupled by a pair of Gap junctions, each one's
    vgap pointing at the other cell's v (setpointer / rv_pointer_set); one
    junction in the middle of a dendrite (x = 0.7)."""
    L = cases.header(so, 60, ["nrnmech " + only_mods(["Gap"])])
    L += ["cell 0", "section a 1", "geom a 20 20 100 1", "insert a hh",
          "section ad 5", "geom ad 200 2 100 1", "insert ad pas", "connect ad 0 a 1",
          "pp st IClamp a 0.5", "ppset st del 2", "ppset st dur 50", "ppset st amp 0.2",
          "gidsec 0 a 0.5 -20",
          "cell 1", "section b 1", "geom b 20 20 100 1", "insert b hh",
          "gidsec 1 b 0.5 -20",
          "cell 0", "pp g1 Gap ad 0.7", "ppset g1 g 20", "pp g2 Gap b 0.5", "ppset g2 g 20",
          "setpointer g1 vgap b 0.5 v", "setpointer g2 vgap ad 0.7 v",
          "record a 0.5 v", "record ad 0.7 v", "record b 0.5 v", "recordpp g1 i",
          "recordpp g2 i"]
    return L


cases.CASES["gap"] = case_gap


def case_vecstim(so):
    """VERBATIM vector_arg/vector_capacity/vector_vec and BBCOREPOINTER:
    two VecStims playing spike-time vectors (one with
    two equal times) into ExpSyns of an hh cell.  NEURON 8.2 (Debian) has no
    built-in VecStim: it runs our VecStim.mod compiled by nrnivmodl."""
    L = cases.header(so, 60, ["nrnmech " + only_mods(["VecStim"])])
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "pp syn ExpSyn soma 0.5", "ppset syn tau 3", "gidsec 0 soma 0.5 -20",
          "cell 1", "art vs VecStim", "vecplay vs 1.5 4 4 9.3 20.05 33 41.7", "gidpp 1 vs",
          "cell 2", "art vt VecStim", "vecplay vt 0.5 12 12.5 50", "gidpp 2 vt",
          "cell 0", "netcon 1 syn 1 0.004", "netcon 2 syn 2.5 0.006",
          "record soma 0.5 v", "recordpp syn g"]
    return L


cases.CASES["vecstim"] = case_vecstim


def case_seclamp(so):
    """SEClamp (not a ranvier built-in: our mechanisms/SEClamp.mod against
    NEURON's): three levels on an hh soma, the clamp switching off before
    tstop; a second clamp with a larger rs on a passive dendrite."""
    L = cases.header(so, 50)
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "section dend 5", "geom dend 200 2 100 1", "insert dend pas", "connect dend 0 soma 1",
          "pp c SEClamp soma 0.5", "ppset c dur1 5", "ppset c amp1 -70", "ppset c dur2 10",
          "ppset c amp2 -20", "ppset c dur3 8.0125", "ppset c amp3 -50", "ppset c rs 0.3",
          "pp c2 SEClamp dend 0.9", "ppset c2 dur1 3", "ppset c2 amp1 -60", "ppset c2 dur2 0",
          "ppset c2 amp2 10", "ppset c2 dur3 30", "ppset c2 amp3 -40", "ppset c2 rs 20",
          "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record dend 0.5 v", "record dend 0.9 v", "recordpp c i",
          "recordpp c vc", "recordpp c2 i", "recordpp c2 vc"]
    return L


cases.CASES["seclamp"] = case_seclamp
def case_vclamp(so):
    """VClamp (not a ranvier built-in: our mechanisms/VClamp.mod, a LINEAR
    block solved in a FUNCTION, against NEURON's): three command levels on
    an hh soma with the default amplifiers, switching off before tstop; a
    second clamp on a passive dendrite with a slower control amplifier
    (tau2), measuring feedback (fac) and a larger rstim."""
    L = cases.header(so, 50)
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "section dend 5", "geom dend 200 2 100 1", "insert dend pas", "connect dend 0 soma 1",
          "pp c VClamp soma 0.5", "ppset c dur[0] 5", "ppset c amp[0] -70", "ppset c dur[1] 10",
          "ppset c amp[1] -20", "ppset c dur[2] 8.0125", "ppset c amp[2] -50",
          "pp c2 VClamp dend 0.9", "ppset c2 dur[0] 3", "ppset c2 amp[0] -60",
          "ppset c2 dur[1] 0", "ppset c2 amp[1] 10", "ppset c2 dur[2] 30", "ppset c2 amp[2] -40",
          "ppset c2 rstim 20", "ppset c2 tau2 0.05", "ppset c2 fac 0.2", "ppset c2 gain 1e4",
          "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record dend 0.5 v", "record dend 0.9 v", "recordpp c i",
          "recordpp c vo", "recordpp c e", "recordpp c2 i", "recordpp c2 vi"]
    return L


cases.CASES["vclamp"] = case_vclamp


def case_intfire2(so):
    """IntFire2 (our mechanisms/IntFire2.mod against NEURON's built-in):
    self events predicted by Newton's method and moved by net_move; a
    spontaneously firing cell (ib > 1), cells driven by NetStims with
    excitatory and inhibitory weights and by each other, one of them driving
    an ExpSyn on an hh cell."""
    L = cases.header(so, 200)
    L += ["cell 10", "art ns NetStim", "ppset ns start 3", "ppset ns interval 4.3",
          "ppset ns number 40", "ppset ns noise 0", "gidpp 10 ns",
          "cell 11", "art nz NetStim", "ppset nz start 1", "ppset nz interval 6",
          "ppset nz number 1000", "ppset nz noise 0.7", "r123 nz 3 5 7", "gidpp 11 nz",
          "cell 1", "art a IntFire2", "ppset a ib 1.3", "ppset a taus 15", "ppset a taum 6",
          "gidpp 1 a",
          "cell 2", "art b IntFire2", "ppset b ib 0.5", "gidpp 2 b",
          "cell 3", "art c IntFire2", "ppset c ib 0.9", "ppset c taus 8", "ppset c taum 9",
          "gidpp 3 c",
          "cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "pp syn ExpSyn soma 0.5", "ppset syn tau 3", "gidsec 0 soma 0.5 -20",
          "netcon 10 b 1 0.9", "netcon 11 b 2 0.6", "netcon 11 a 0.5 -0.4",
          "netcon 1 c 1.5 0.35", "netcon 2 c 1.5 0.5", "netcon 10 c 3 -0.2",
          "netcon 3 a 2 0.3", "netcon 2 syn 1 0.01", "netcon 3 syn 2 0.008",
          "record soma 0.5 v", "recordpp syn g", "recordpp a m", "recordpp b i",
          "recordpp c m"]
    return L


cases.CASES["intfire2"] = case_intfire2
def case_watch(so):
    """WATCH (tests/nmodl/mod/nmwatch.mod): conditions on v armed from
    NET_RECEIVE, re-armed in pairs, each firing a self event with its flag
    when it becomes true at the start of a step; spikes of an hh cell under a
    pulse train make v cross both thresholds repeatedly."""
    moddir = os.path.join(HERE, "mod")
    L = cases.header(so, 120, ["nrnmech " + moddir])
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "section dend 3", "geom dend 150 2 100 1", "insert dend pas", "connect dend 0 soma 1",
          "pp w nmwatch soma 0.5", "pp w2 nmwatch dend 0.9", "ppset w2 vth -55",
          "ppset w2 vlow -62", "ppset w2 amp 0.02",
          "pp st IClamp soma 0.5", "ppset st del 5", "ppset st dur 100", "ppset st amp 0.3",
          "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record dend 0.9 v", "recordpp w nup", "recordpp w ndown",
          "recordpp w lastup", "recordpp w i", "recordpp w2 nup", "recordpp w2 ndown",
          "recordpp w2 i"]
    return L


cases.CASES["watch"] = case_watch


def case_geom(so):
    """tests/nmodl/mod/nmgeom.mod: diam and area read by a density mechanism
    in sections of different and tapering diameters, DEFINE, a GLOBAL array,
    implicit RANGE variables, a TABLE that DEPENDs on dt."""
    moddir = os.path.join(HERE, "mod")
    L = cases.header(so, 40, ["nrnmech " + moddir])
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "insert soma nmgeom",
          "section dend 3", "geom dend 150 2 100 1", "insert dend pas", "insert dend nmgeom",
          "rangeall dend gbar_nmgeom 0.001", "segdiam dend 0.1 3", "segdiam dend 0.9 1.2",
          "connect dend 0 soma 1",
          "pp st IClamp soma 0.5", "ppset st del 2", "ppset st dur 100", "ppset st amp 0.15",
          "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record dend 0.5 v", "record soma 0.5 s_nmgeom",
          "record dend 0.1 s_nmgeom", "record dend 0.5 ratio_nmgeom",
          "record soma 0.5 acc_nmgeom", "record dend 0.9 i_nmgeom"]
    return L


cases.CASES["geom"] = case_geom

def case_ttx(so):
    """TTXDynamicsSwitch (our mechanisms/TTXDynamicsSwitch.mod, compiled by
    nrnivmodl for NEURON) with tests/nmodl/mod/nmttx.mod, a leak that reads
    the ttx pseudo-ion and is blocked by ttxo only where ttxi holds the
    switch's marker: the soma at a blocking level, one dendrite at the
    default (no TTX) level, another dendrite without the switch (NEURON's
    default concentrations, leak unblocked)."""
    import shutil
    d = only_mods(["TTXDynamicsSwitch"])
    shutil.copy(os.path.join(HERE, "mod", "nmttx.mod"), d)
    L = cases.header(so, 60, ["nrnmech " + d])
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "insert soma TTXDynamicsSwitch", "insert soma nmttx",
          "rangeall soma ttxo_level_TTXDynamicsSwitch 2e-5",
          "section d1 3", "geom d1 150 2 100 1", "insert d1 pas", "insert d1 nmttx",
          "insert d1 TTXDynamicsSwitch", "rangeall d1 gbar_nmttx 0.002",
          "connect d1 0 soma 1",
          "section d2 3", "geom d2 150 2 100 1", "insert d2 pas", "insert d2 nmttx",
          "rangeall d2 gbar_nmttx 0.001", "connect d2 0 soma 0",
          "pp st IClamp soma 0.5", "ppset st del 2", "ppset st dur 100", "ppset st amp 0.15",
          "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record d1 0.5 v", "record d2 0.5 v",
          "record soma 0.5 block_nmttx", "record soma 0.5 seeo_nmttx",
          "record soma 0.5 seei_nmttx", "record d1 0.5 block_nmttx",
          "record d1 0.5 seeo_nmttx", "record d2 0.5 block_nmttx",
          "record d2 0.5 seei_nmttx", "record soma 0.5 ttxo", "record d1 0.5 ttxi"]
    return L


cases.CASES["ttx"] = case_ttx


def case_membsrc(so):
    """MembraneCurrentSource (our .mod on both sides): IClamp's pulse as a
    membrane current (i = -amp during the pulse) on an hh soma, a second one
    with a negative amp on a passive dendrite, a third ending after tstop."""
    L = cases.header(so, 50, ["nrnmech " + only_mods(["MembraneCurrentSource"])])
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "section dend 5", "geom dend 200 2 100 1", "insert dend pas", "connect dend 0 soma 1",
          "pp s1 MembraneCurrentSource soma 0.5", "ppset s1 del 2", "ppset s1 dur 20.0125",
          "ppset s1 amp 0.2",
          "pp s2 MembraneCurrentSource dend 0.7", "ppset s2 del 5", "ppset s2 dur 10",
          "ppset s2 amp -0.05",
          "pp s3 MembraneCurrentSource dend 0.3", "ppset s3 del 30", "ppset s3 dur 100",
          "ppset s3 amp 0.08",
          "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record dend 0.7 v", "record dend 0.3 v",
          "recordpp s1 i", "recordpp s2 i", "recordpp s3 i"]
    return L


cases.CASES["membsrc"] = case_membsrc


def case_condsrc(so):
    """ConductanceSource (our .mod on both sides): SEClamp's three-level
    source as a membrane current i = (v - vc)/rs on an hh soma, switching
    off before tstop; a second one with a larger rs and dur2 = 0 on a
    passive dendrite."""
    L = cases.header(so, 50, ["nrnmech " + only_mods(["ConductanceSource"])])
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "section dend 5", "geom dend 200 2 100 1", "insert dend pas", "connect dend 0 soma 1",
          "pp c ConductanceSource soma 0.5", "ppset c dur1 5", "ppset c amp1 -70",
          "ppset c dur2 10", "ppset c amp2 -20", "ppset c dur3 8.0125", "ppset c amp3 -50",
          "ppset c rs 0.3",
          "pp c2 ConductanceSource dend 0.9", "ppset c2 dur1 3", "ppset c2 amp1 -60",
          "ppset c2 dur2 0", "ppset c2 amp2 10", "ppset c2 dur3 30", "ppset c2 amp3 -40",
          "ppset c2 rs 20",
          "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record dend 0.5 v", "record dend 0.9 v", "recordpp c i",
          "recordpp c vc", "recordpp c2 i", "recordpp c2 vc"]
    return L


cases.CASES["condsrc"] = case_condsrc

CORTEX = os.path.join(HERE, "..", "..", "mechanisms", "cortex")


def case_cortex(so):
    """Our mechanisms/cortex/*.mod (the Hay et al. 2011 layer-5 pyramidal
    channel set used by the Allen perisomatic fits; nrnivmodl for NEURON,
    ranvier for ranvier): a soma carrying all 11 (NaTs, Nap, K_P, K_T,
    Kv3_1, SK, Im, Ih, Ca_HVA, Ca_LVA, CaDynamics writing cai, which SK
    reads and from which eca follows) plus pas, and a dendrite with a
    subset, at 34 degC, driven by an IClamp to a spike train with
    calcium-activated adaptation."""
    L = cases.header(so, 300, ["nrnmech " + CORTEX, "celsius 34"])
    L = ["vinit -85" if ln.startswith("vinit ") else ln for ln in L]
    soma = [("NaTs", "gbar", 1.0), ("Nap", "gbar", 0.002), ("K_P", "gbar", 0.005),
            ("K_T", "gbar", 0.02), ("Kv3_1", "gbar", 0.3), ("SK", "gbar", 0.005),
            ("Im", "gbar", 0.0005), ("Ih", "gbar", 8e-5), ("Ca_HVA", "gbar", 0.001),
            ("Ca_LVA", "gbar", 0.003), ("CaDynamics", "gamma", 0.0006)]
    dend = [("NaTs", "gbar", 0.02), ("Kv3_1", "gbar", 0.01), ("SK", "gbar", 0.001),
            ("Im", "gbar", 1e-4), ("Ih", "gbar", 2e-4), ("Ca_HVA", "gbar", 5e-5),
            ("Ca_LVA", "gbar", 5e-4), ("CaDynamics", "gamma", 0.001)]
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma pas",
          "rangeall soma g_pas 3e-5", "rangeall soma e_pas -90",
          "section dend 5", "geom dend 200 2 100 2", "insert dend pas",
          "rangeall dend g_pas 3e-5", "rangeall dend e_pas -90", "connect dend 0 soma 1"]
    for sec, mechs in (("soma", soma), ("dend", dend)):
        for m, var, val in mechs:
            L += ["insert %s %s" % (sec, m), "rangeall %s %s_%s %.17g" % (sec, var, m, val)]
        L += ["rangeall %s ena 53" % sec, "rangeall %s ek -107" % sec]
    L += ["rangeall soma decay_CaDynamics 200", "rangeall dend decay_CaDynamics 120",
          "pp st IClamp soma 0.5", "ppset st del 20", "ppset st dur 200", "ppset st amp 0.5",
          "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record dend 0.5 v", "record dend 0.9 v",
          "record soma 0.5 cai", "record soma 0.5 eca", "record soma 0.5 ica",
          "record soma 0.5 ik", "record soma 0.5 ina", "record soma 0.5 z_SK",
          "record soma 0.5 m_Ih", "record soma 0.5 h_K_P", "record soma 0.5 m_Ca_LVA",
          "record dend 0.5 cai", "record dend 0.5 m_Im"]
    return L


cases.CASES["cortex"] = case_cortex
OWN = ("features", "solvers", "lang", "gap", "vecstim", "watch", "geom", "ttx", "cortex")
# NEURON built-ins that ranvier has only as compiled mechanisms/*.mod
ADDED = ("seclamp", "vclamp", "intfire2", "watch", "membsrc", "condsrc")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(cases.CASES))
    ap.add_argument("rvsim")
    ap.add_argument("mechdirs")
    ap.add_argument("--secondorder", type=int, default=None)
    ap.add_argument("--tol", type=float, default=1e-6)
    a = ap.parse_args()
    ok = True
    names = loaded_names(["mechlib " + a.mechdirs, "tstop 0"], a.rvsim)
    missing = [n for n in EXPECT if n not in names]
    print("compiled mechanisms replacing the built-ins: %s%s" %
          (" ".join(names), " MISSING %s FAIL" % missing if missing else ""))
    ok &= not missing
    for so in ([a.secondorder] if a.secondorder is not None else [0, 2]):
        lines = cases.CASES[a.case](so)
        name = "%s secondorder=%d (compiled .mod)" % (a.case, so)
        ref = cases.neuron_in_subprocess(lines)
        builtin = oracle.run_ranvier(lines, a.rvsim) if a.case not in OWN + ADDED else None
        rv_lines = ["mechlib " + a.mechdirs] + lines
        if a.case in OWN:
            rv_lines = ["mechlib " + a.mechdirs + ":" + os.path.join(HERE, "mod")] + lines
            builtin = None
        if a.case == "cortex":
            rv_lines = ["mechlib " + a.mechdirs + ":" + CORTEX] + lines
        got = oracle.run_ranvier(rv_lines, a.rvsim)
        ok &= oracle.compare(name, ref, got, tol=a.tol)
        if builtin is None:
            continue
        same = got[1] == builtin[1] and got[2] == builtin[2]
        print("%s: vs built-in mechanisms: max |difference| = %.3g, %s" %
              (name, maxdiff(got, builtin), "bit-identical" if same else "different"))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
