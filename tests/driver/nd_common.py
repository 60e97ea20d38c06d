# SPDX-License-Identifier: MIT
"""Pieces shared by the NEURON references of Blue Brain runs
(bbp/ring_oracle.py, bbp50/nd_reference.py, modoverride/mo_reference.py),
built as neurodamus builds them (our reading of neurodamus,
/work/shared/reference/neurodamus-facts.md).  Each function takes NEURON's
`h` and returns the NEURON objects the caller must keep alive."""


def nc_slot(h, syn):
    """neurodamus' netcon_set_type: the index of the NetCon weight that
    tells the synapse what the event is (GLOBAL nc_type_param_<mech>), 0
    when the mechanism has none."""
    try:
        return int(getattr(h, "nc_type_param_" + syn.hname().split("[")[0]))
    except (AttributeError, LookupError):
        return 0


def prob_synapse(h, a, e, x, sec, exc, u, synid, tgid, spop, tpop, syn_seed, gaba_rise=False):
    """ProbAMPANMDA_EMS (exc) / ProbGABAAB_EMS at sec(x) with the BBP
    parameters of edge e of the edge attribute table a; u is the (calcium
    scaled) u_syn; the synapse RNG setRNG(tgid+1+250, synid+100,
    spop*65536+tpop+syn_seed+300); gaba_rise: randomize_gaba_rise_time (a
    lognormal tau_r_GABAA); NMDA/GABAB ratio from conductance_scale_factor.
    Sets no conductance."""
    syn = (h.ProbAMPANMDA_EMS if exc else h.ProbGABAAB_EMS)(x, sec=sec)
    if exc:
        syn.tau_d_AMPA = a["decay_time"][e]
    else:
        syn.tau_d_GABAA = a["decay_time"][e]
    syn.Use = abs(u)
    syn.Dep = abs(float(a["depression_time"][e]))
    syn.Fac = abs(float(a["facilitation_time"][e]))
    if a["n_rrp_vesicles"][e] >= 0:
        syn.Nrrp = a["n_rrp_vesicles"][e]
    syn.synapseID = synid
    syn.setRNG(tgid + 1 + 250, synid + 100, spop * 65536 + tpop + syn_seed + 300)
    if gaba_rise and not exc:
        # hoc Random semantics: lognormal() draws one value, repick() the
        # next (NEURON's Normal caches a pair)
        rr = h.Random()
        rr.Random123(tgid + 251, synid + 100, spop * 65536 + tpop + syn_seed + 450)
        rr.lognormal(0.2, 0.1)
        syn.tau_r_GABAA = rr.repick()
    csf = a.get("conductance_scale_factor")
    if csf is not None and csf[e] >= 0:
        if exc:
            syn.NMDA_ratio = csf[e]
        else:
            syn.GABAB_ratio = csf[e]
    return syn


def add_minis(h, syn, rate, weight, slot, synid, tgid, spop, tpop, minis_seed, tstop):
    """spontaneous minis: an InhPoissonStim at constant rate (Hz) with
    neurodamus' RNG ids into syn (delay 0.1, weight[slot] = 1 when slot)."""
    ips = h.InhPoissonStim()
    ms = spop * 65536 + tpop + minis_seed
    ips.setRNGs(synid + 200, tgid + 251, ms + 300, synid + 200, tgid + 251, ms + 350)
    tb, rv = h.Vector([0]), h.Vector([rate])
    ips.setTbins(tb)
    ips.setRate(rv)
    ips.duration = tstop
    mnc = h.NetCon(ips, syn)
    mnc.delay = 0.1
    mnc.weight[0] = weight
    if slot:
        mnc.weight[slot] = 1
    return [ips, tb, rv, mnc]


def add_replay(h, syn, times, delay, weight, slot):
    """synapse_replay: a VecStim playing times into syn (threshold 10,
    weight[slot] = 2 when slot)."""
    tv = h.Vector(sorted(times))
    vs = h.VecStim()
    vs.play(tv)
    rnc = h.NetCon(vs, syn)
    rnc.threshold = 10
    rnc.delay = delay
    rnc.weight[0] = weight
    if slot:
        rnc.weight[slot] = 2
    return [tv, vs, rnc]
