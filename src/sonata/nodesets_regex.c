/* SPDX-License-Identifier: MIT
 * sonata/nodesets_regex.c -- node-set "$regex" patterns: ECMAScript (what
 * libsonata's std::regex reads) translated into a POSIX ERE for <regex.h>.
 *
 * The translation is one left-to-right pass with a small state: inside or
 * outside a bracket expression, and whether the last thing emitted can take
 * a lazy '?' (a quantifier).  Bracket expressions are rebuilt item by item
 * because POSIX brackets have no escapes: ']' must come first, '^' not first
 * and '-' last, and ECMAScript's "\d" or "\." inside brackets become "0-9"
 * and ".".  Anything without a faithful ERE form is refused with a message
 * rather than guessed (look-around, backreferences, \p, named groups...).
 *
 * Matching is a search (regexec finds a match anywhere), as libsonata's
 * std::regex_search; REG_NOSUB because only match/no match is needed.
 */
#include "nodesets_int.h"

#include <stdio.h>
#include <string.h>

typedef struct obuf {
    char *s;
    size_t n, cap;
    int oom;
} obuf;

static void put(obuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (rv_grow((void **)&b->s, &b->cap, b->n + n + 1, 1)) {
        b->oom = 1;
        return;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void puts_(obuf *b, const char *s) {
    put(b, s, strlen(s));
}

static void putc_(obuf *b, char c) {
    put(b, &c, 1);
}

static int hexv(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* \xHH or \uHHHH at p (after the backslash and letter); returns the code
 * point or -1, advancing *pp past the digits. */
static long hexesc(const char **pp, int ndig) {
    long u = 0;
    for (int i = 0; i < ndig; i++) {
        int h = hexv((*pp)[i]);
        if (h < 0) return -1;
        u = u * 16 + h;
    }
    *pp += ndig;
    return u;
}

static int is_ere_special(char c) {
    return c && strchr(".[]()*+?{}|^$\\", c) != NULL;
}

/* ECMAScript "identity escapes" of syntax characters and '/', '-'. */
static int is_punct_escape(char c) {
    return c && strchr("^$\\.*+?()[]{}|/-,:;=!<>'\"#%&@`~_ ", c) != NULL;
}

/* Literal character c outside brackets. */
static void lit(obuf *b, char c) {
    if (is_ere_special(c)) putc_(b, '\\');
    putc_(b, c);
}

static void utf8(obuf *b, long u) {
    char t[4];
    size_t k = 0;
    if (u < 0x80) {
        lit(b, (char)u);
        return;
    } else if (u < 0x800) {
        t[k++] = (char)(0xC0 | (u >> 6));
        t[k++] = (char)(0x80 | (u & 0x3F));
    } else {
        t[k++] = (char)(0xE0 | (u >> 12));
        t[k++] = (char)(0x80 | ((u >> 6) & 0x3F));
        t[k++] = (char)(0x80 | (u & 0x3F));
    }
    /* grouped, so that a following quantifier applies to the whole character */
    putc_(b, '(');
    put(b, t, k);
    putc_(b, ')');
}

#define REFUSE(code, ...)                                                                          \
    do {                                                                                           \
        snprintf(why, nwhy, __VA_ARGS__);                                                          \
        st = (code);                                                                               \
        goto out;                                                                                  \
    } while (0)

/* Bracket expression starting at *pp (just after '['). */
static rv_status bracket(const char **pp, obuf *b, char *why, size_t nwhy) {
    const char *p = *pp;
    rv_status st = RV_OK;
    int neg = 0, has_rb = 0, has_caret = 0, has_dash = 0, has_lb = 0;
    obuf items = {0}; /* ranges, classes and ordinary characters */
    if (*p == '^') {
        neg = 1;
        p++;
    }
    if (*p == ']') REFUSE(RV_EUNSUPPORTED, "empty bracket expression [] or [^] has no POSIX form");
    while (*p && *p != ']') {
        int c;
        const char *start = p;
        if (*p == '\\') {
            p++;
            char e = *p++;
            switch (e) {
            case 'd':
                puts_(&items, "0-9");
                continue;
            case 'w':
                puts_(&items, "_[:alnum:]");
                continue;
            case 's':
                puts_(&items, "[:space:]");
                continue;
            case 'D':
            case 'W':
            case 'S':
                REFUSE(RV_EUNSUPPORTED, "\\%c inside a bracket expression has no POSIX form", e);
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case 'r':
                c = '\r';
                break;
            case 'f':
                c = '\f';
                break;
            case 'v':
                c = '\v';
                break;
            case 'b':
                c = '\b';
                break;
            case 'x':
            case 'u': {
                long u = hexesc(&p, e == 'x' ? 2 : 4);
                if (u < 0) REFUSE(RV_EFORMAT, "malformed \\%c escape", e);
                if (u == 0 || u >= 0x80)
                    REFUSE(RV_EUNSUPPORTED,
                           "non-ASCII or NUL character \\%c%0*lX inside a bracket expression", e,
                           e == 'x' ? 2 : 4, u);
                c = (int)u;
                break;
            }
            case '\0':
                REFUSE(RV_EFORMAT, "pattern ends with a backslash");
            default:
                if (!is_punct_escape(e))
                    REFUSE(RV_EUNSUPPORTED, "escape \\%c has no POSIX form", e);
                c = e;
                break;
            }
        } else {
            c = (unsigned char)*p++;
            if (c >= 0x80)
                REFUSE(RV_EUNSUPPORTED, "non-ASCII character inside a bracket expression (POSIX "
                                        "brackets hold bytes, not UTF-8 characters)");
        }
        /* a range a-b (b not ']') */
        if (*p == '-' && p[1] && p[1] != ']') {
            const char *q = p + 1;
            int hi;
            if (*q == '\\') {
                char e = q[1];
                if (!is_punct_escape(e) || !e)
                    REFUSE(RV_EUNSUPPORTED, "range ending in \\%c has no POSIX form", e);
                hi = (unsigned char)e;
                q += 2;
            } else {
                hi = (unsigned char)*q++;
            }
            if (hi >= 0x80)
                REFUSE(RV_EUNSUPPORTED, "non-ASCII character inside a bracket expression");
            if (hi < c) REFUSE(RV_EFORMAT, "range %.*s out of order", (int)(q - start), start);
            if (strchr("]^-[", c) || strchr("]^-[", hi))
                REFUSE(RV_EUNSUPPORTED, "range %.*s with ] ^ - or [ as an end has no POSIX form",
                       (int)(q - start), start);
            char r[3] = {(char)c, '-', (char)hi};
            put(&items, r, 3);
            p = q;
            continue;
        }
        if (c == ']')
            has_rb = 1;
        else if (c == '^')
            has_caret = 1;
        else if (c == '-')
            has_dash = 1;
        else if (c == '[')
            has_lb = 1;
        else
            putc_(&items, (char)c);
    }
    if (*p != ']') REFUSE(RV_EFORMAT, "unterminated bracket expression");
    p++;
    if (!neg && has_caret && !has_rb && !has_lb && items.n == 0) {
        /* only '^' (and maybe '-'): "[-^]" or an escaped caret */
        puts_(b, has_dash ? "[-^]" : "\\^");
    } else {
        putc_(b, '[');
        if (neg) putc_(b, '^');
        if (has_rb) putc_(b, ']');
        if (items.n) put(b, items.s, items.n);
        if (has_caret) putc_(b, '^');
        if (has_lb) putc_(b, '['); /* last before '-' and ']': never starts "[:" */
        if (has_dash) putc_(b, '-');
        putc_(b, ']');
    }
    if (items.oom) b->oom = 1;
out:
    rv_free(items.s);
    *pp = p;
    return st;
}

/* {n}, {n,}, {n,m} at p ('{'): length of the quantifier or 0. */
static size_t quantifier(const char *p) {
    size_t i = 1;
    if (!(p[i] >= '0' && p[i] <= '9')) return 0;
    while (p[i] >= '0' && p[i] <= '9') i++;
    if (p[i] == ',') {
        i++;
        while (p[i] >= '0' && p[i] <= '9') i++;
    }
    return p[i] == '}' ? i + 1 : 0;
}

rv_status rv__ns_regex_translate(const char *ecma, char **out, char *why, size_t nwhy) {
    obuf b = {0};
    rv_status st = RV_OK;
    const char *p = ecma;
    *out = NULL;
    why[0] = '\0';
    puts_(&b, "");
    while (*p) {
        char c = *p++;
        int quant = 0;
        switch (c) {
        case '\\': {
            char e = *p++;
            switch (e) {
            case 'd':
                puts_(&b, "[0-9]");
                break;
            case 'D':
                puts_(&b, "[^0-9]");
                break;
            case 'w':
                puts_(&b, "[_[:alnum:]]");
                break;
            case 'W':
                puts_(&b, "[^_[:alnum:]]");
                break;
            case 's':
                puts_(&b, "[[:space:]]");
                break;
            case 'S':
                puts_(&b, "[^[:space:]]");
                break;
            case 'b':
                puts_(&b, "\\b");
                break;
            case 'B':
                puts_(&b, "\\B");
                break;
            case 'n':
                putc_(&b, '\n');
                break;
            case 't':
                putc_(&b, '\t');
                break;
            case 'r':
                putc_(&b, '\r');
                break;
            case 'f':
                putc_(&b, '\f');
                break;
            case 'v':
                putc_(&b, '\v');
                break;
            case 'x':
            case 'u': {
                long u = hexesc(&p, e == 'x' ? 2 : 4);
                if (u < 0) REFUSE(RV_EFORMAT, "malformed \\%c escape", e);
                if (u == 0) REFUSE(RV_EUNSUPPORTED, "NUL character in a pattern");
                if (u >= 0xD800 && u < 0xE000)
                    REFUSE(RV_EUNSUPPORTED, "UTF-16 surrogate \\u%04lX in a pattern", u);
                utf8(&b, u);
                break;
            }
            case '\0':
                REFUSE(RV_EFORMAT, "pattern ends with a backslash");
            default:
                if (e >= '1' && e <= '9')
                    REFUSE(RV_EUNSUPPORTED, "backreference \\%c is not supported", e);
                if (!is_punct_escape(e))
                    REFUSE(RV_EUNSUPPORTED, "escape \\%c has no POSIX form", e);
                lit(&b, e);
                break;
            }
            break;
        }
        case '(':
            if (*p == '?') {
                if (p[1] == ':') {
                    p += 2;
                } else if (p[1] == '=' || p[1] == '!' || p[1] == '<') {
                    REFUSE(RV_EUNSUPPORTED, "%s is not supported",
                           p[1] == '<' ? (p[2] == '=' || p[2] == '!' ? "look-behind (?<"
                                                                     : "a named group (?<name>")
                                       : "look-ahead (?= / (?!");
                } else {
                    REFUSE(RV_EFORMAT, "invalid group (?%c", p[1] ? p[1] : ' ');
                }
            }
            putc_(&b, '(');
            break;
        case '[':
            st = bracket(&p, &b, why, nwhy);
            if (st != RV_OK) goto out;
            break;
        case '*':
        case '+':
        case '?':
            putc_(&b, c);
            quant = 1;
            break;
        case '{': {
            size_t q = quantifier(p - 1);
            if (q) {
                put(&b, p - 1, q);
                p += q - 1;
                quant = 1;
            } else {
                puts_(&b, "\\{"); /* Annex B: a literal brace */
            }
            break;
        }
        case '}':
            puts_(&b, "\\}");
            break;
        case ']':
            puts_(&b, "\\]");
            break;
        default:
            if ((unsigned char)c >= 0x80) {
                /* a UTF-8 sequence: one group, so that quantifiers apply to all of it */
                const char *q = p;
                while ((unsigned char)*q >= 0x80 && (unsigned char)*q < 0xC0) q++;
                putc_(&b, '(');
                put(&b, p - 1, (size_t)(q - p + 1));
                putc_(&b, ')');
                p = q;
            } else {
                putc_(&b, c);
            }
            break;
        }
        if (quant && *p == '?') p++; /* lazy: same matches for a search */
    }
out:
    if (b.oom) {
        rv_free(b.s);
        snprintf(why, nwhy, "out of memory");
        return RV_ENOMEM;
    }
    if (st != RV_OK) {
        rv_free(b.s);
        return st;
    }
    *out = b.s;
    return RV_OK;
}

rv_status rv__ns_regex_compile(const char *ecma, regex_t *re, char *why, size_t nwhy) {
    char *ere = NULL;
    rv_status st = rv__ns_regex_translate(ecma, &ere, why, nwhy);
    if (st != RV_OK) return st;
    int rc = regcomp(re, ere, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[200];
        regerror(rc, re, msg, sizeof msg);
        snprintf(why, nwhy, "invalid regular expression (%s; POSIX form \"%s\")", msg, ere);
        rv_free(ere);
        return rc == REG_ESPACE ? RV_ENOMEM : RV_EFORMAT;
    }
    rv_free(ere);
    return RV_OK;
}
