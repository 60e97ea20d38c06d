/* SPDX-License-Identifier: MIT
 * nmodl/units.c -- unit conversion factors for UNITS blocks.
 *
 * `FARADAY = (faraday) (coulomb)` defines FARADAY as the number of coulombs
 * in a faraday.  A unit expression is a product of terms separated by
 * spaces, '-' or '*', with '/' putting every following term in the
 * denominator; a term is an optional number, a unit name with an optional
 * SI prefix and plural 's', and an optional integer power (cm2).  Each
 * name reduces to a value times powers of the base dimensions
 * (m, kg, s, A, K, cd); `mole` is a pure number, as in NEURON's unit
 * database, so `faraday` = e * mole coulombs and `k-mole` (Boltzmann's
 * constant times Avogadro's number) is the gas constant.  Constants are the
 * exact SI 2019 values that NEURON 8.2 uses by default; values are
 * multiplied in definition order so that FARADAY, R and the common ratios
 * come out bit-identical to nocmodl's.
 *
 * The table below is ranvier's own short list of the units that mechanism
 * files use; unknown names are an error naming the unit.
 */
#include "nmodl_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { D_M, D_KG, D_S, D_A, D_K, D_CD, ND };

typedef struct uval {
    double f;
    int dim[ND];
} uval;

/* name, definition in terms of earlier entries or base dimensions */
typedef struct udef {
    const char *name, *def;
} udef;

static const udef table[] = {
    /* base units: def "!m" etc. */
    {"m", "!m"},
    {"kg", "!kg"},
    {"sec", "!s"},
    {"amp", "!A"},
    {"K", "!K"},
    {"candela", "!cd"},
    {"1", ""},
    /* numbers */
    {"pi", "3.14159265358979323846"},
    {"mole", "6.02214076e23"},
    {"mol", "mole"},
    {"percent", "0.01"},
    /* mechanics and electricity */
    {"s", "sec"},
    {"second", "sec"},
    {"g", "0.001 kg"},
    {"gram", "g"},
    {"gm", "g"},
    {"meter", "m"},
    {"metre", "m"},
    {"micron", "1e-6 m"},
    {"angstrom", "1e-10 m"},
    {"liter", "0.001 m3"},
    {"litre", "liter"},
    {"l", "liter"},
    {"L", "liter"},
    {"cc", "1e-6 m3"},
    {"min", "60 sec"},
    {"minute", "min"},
    {"hour", "3600 sec"},
    {"hr", "hour"},
    {"day", "86400 sec"},
    {"hz", "/sec"},
    {"Hz", "/sec"},
    {"hertz", "/sec"},
    {"newton", "kg m / sec2"},
    {"nt", "newton"},
    {"N", "newton"},
    {"dyne", "1e-5 newton"},
    {"joule", "newton m"},
    {"J", "joule"},
    {"erg", "1e-7 joule"},
    {"cal", "4.1868 joule"},
    {"calorie", "cal"},
    {"watt", "joule / sec"},
    {"W", "watt"},
    {"pascal", "newton / m2"},
    {"Pa", "pascal"},
    {"ampere", "amp"},
    {"A", "amp"},
    {"coul", "amp sec"},
    {"coulomb", "coul"},
    {"C", "coul"},
    {"volt", "watt / amp"},
    {"V", "volt"},
    {"ohm", "volt / amp"},
    {"siemens", "/ ohm"},
    {"S", "siemens"},
    {"mho", "/ ohm"},
    {"farad", "coul / volt"},
    {"F", "farad"},
    {"henry", "volt sec / amp"},
    {"weber", "volt sec"},
    {"tesla", "weber / m2"},
    {"molar", "mole / liter"},
    {"M", "molar"},
    {"kelvin", "K"},
    {"degK", "K"},
    {"degC", "K"},
    {"celsius", "K"},
    {"c", "2.99792458e8 m / sec"},
    /* physical constants */
    {"e", "1.602176634e-19 coul"},
    {"faraday", "e mole"},
    {"boltzmann", "1.380649e-23 joule / K"},
    {"k", "boltzmann"},
    {"gasconstant", "k mole"},
    {"R", "gasconstant"},
    {"planck", "6.62607015e-34 joule sec"},
    {"avogadro", "mole"},
    {NULL, NULL}};

typedef struct prefix {
    const char *p;
    double f;
} prefix;

static const prefix prefixes[] = {
    {"yocto", 1e-24}, {"zepto", 1e-21}, {"atto", 1e-18}, {"femto", 1e-15}, {"pico", 1e-12},
    {"nano", 1e-9},   {"micro", 1e-6},  {"milli", 1e-3}, {"centi", 1e-2},  {"deci", 1e-1},
    {"deca", 1e1},    {"hecto", 1e2},   {"kilo", 1e3},   {"mega", 1e6},    {"giga", 1e9},
    {"tera", 1e12},   {"peta", 1e15},   {"exa", 1e18},   {"y", 1e-24},     {"z", 1e-21},
    {"a", 1e-18},     {"f", 1e-15},     {"p", 1e-12},    {"n", 1e-9},      {"u", 1e-6},
    {"m", 1e-3},      {"c", 1e-2},      {"d", 1e-1},     {"h", 1e2},       {"k", 1e3},
    {"M", 1e6},       {"G", 1e9},       {"T", 1e12},     {NULL, 0}};

typedef struct uctx {
    const nm_unitdef *user;
    int depth;
    char *msg;
    size_t nmsg;
} uctx;

static int eval_expr(uctx *c, const char *s, uval *out);

static int lookup_exact(uctx *c, const char *name, uval *out) {
    /* user units: (mV) = (millivolt) */
    for (const nm_unitdef *u = c->user; u; u = u->next)
        if (!u->is_factor && u->name && u->u1 && strcmp(u->name, name) == 0 &&
            strcmp(u->u1, name) != 0)
            return eval_expr(c, u->u1, out) == 0 ? 1 : -1;
    for (int i = 0; table[i].name; ++i) {
        if (strcmp(table[i].name, name) != 0) continue;
        const char *d = table[i].def;
        if (d[0] == '!') {
            memset(out, 0, sizeof *out);
            out->f = 1.0;
            static const char *const dn[ND] = {"m", "kg", "s", "A", "K", "cd"};
            for (int k = 0; k < ND; ++k)
                if (strcmp(d + 1, dn[k]) == 0) out->dim[k] = 1;
            return 1;
        }
        return eval_expr(c, d, out) == 0 ? 1 : -1;
    }
    return 0;
}

/* a unit name: exact, then SI prefix + name, then plural */
static int lookup_name(uctx *c, const char *name, uval *out) {
    int r = lookup_exact(c, name, out);
    if (r) return r;
    size_t n = strlen(name);
    for (int i = 0; prefixes[i].p; ++i) {
        size_t lp = strlen(prefixes[i].p);
        if (n > lp && strncmp(name, prefixes[i].p, lp) == 0) {
            r = lookup_name(c, name + lp, out);
            if (r == 1) {
                out->f = prefixes[i].f * out->f;
                return 1;
            }
            if (r < 0) return r;
        }
    }
    char buf[128];
    if (n > 1 && n < sizeof buf && name[n - 1] == 's') {
        memcpy(buf, name, n - 1);
        buf[n - 1] = 0;
        return lookup_exact(c, buf, out);
    }
    return 0;
}

static int eval_expr(uctx *c, const char *s, uval *out) {
    if (++c->depth > 32) {
        snprintf(c->msg, c->nmsg, "units definitions nest too deeply");
        return -1;
    }
    uval acc;
    memset(&acc, 0, sizeof acc);
    acc.f = 1.0;
    bool first = true, denom = false;
    const char *p = s;
    while (*p) {
        if (*p == ' ' || *p == '\t' || *p == '-' || *p == '*' || *p == '.') {
            p++;
            continue;
        }
        if (*p == '/') {
            denom = true;
            p++;
            continue;
        }
        uval term;
        memset(&term, 0, sizeof term);
        if (isdigit((unsigned char)*p)) {
            char *end;
            term.f = strtod(p, &end);
            p = end;
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            char name[128];
            size_t n = 0;
            while ((isalpha((unsigned char)*p) || *p == '_') && n + 1 < sizeof name)
                name[n++] = *p++;
            name[n] = 0;
            int r = lookup_name(c, name, &term);
            if (r < 0) return -1;
            if (r == 0) {
                snprintf(c->msg, c->nmsg, "unknown unit '%s'", name);
                return -1;
            }
            if (isdigit((unsigned char)*p)) { /* power: cm2 */
                int pw = (int)strtol(p, (char **)&p, 10);
                if (pw < 1 || pw > 9) {
                    snprintf(c->msg, c->nmsg, "bad power in unit '%s'", s);
                    return -1;
                }
                double f = term.f;
                for (int k = 1; k < pw; ++k) term.f = term.f * f;
                for (int k = 0; k < ND; ++k) term.dim[k] *= pw;
            }
        } else {
            snprintf(c->msg, c->nmsg, "unexpected '%c' in unit '%s'", *p, s);
            return -1;
        }
        if (denom) {
            acc.f = first ? 1.0 / term.f : acc.f / term.f;
            for (int k = 0; k < ND; ++k) acc.dim[k] -= term.dim[k];
        } else {
            acc.f = first ? term.f : acc.f * term.f;
            for (int k = 0; k < ND; ++k) acc.dim[k] += term.dim[k];
        }
        first = false;
    }
    c->depth--;
    *out = acc;
    return 0;
}

int nm_units_factor(const char *u1, const char *u2, const nm_unitdef *user, double *out, char *msg,
                    size_t nmsg) {
    uctx c = {user, 0, msg, nmsg};
    uval a, b;
    if (eval_expr(&c, u1, &a)) return -1;
    c.depth = 0;
    if (eval_expr(&c, u2, &b)) return -1;
    for (int k = 0; k < ND; ++k)
        if (a.dim[k] != b.dim[k]) {
            snprintf(msg, nmsg, "units (%s) and (%s) are not conformable", u1, u2);
            return -1;
        }
    *out = a.f / b.f;
    return 0;
}
