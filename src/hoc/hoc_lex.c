/* SPDX-License-Identifier: MIT
 * hoc/hoc_lex.c -- hoc tokens.
 *
 * Newlines are tokens (they end statements); `//` and C comments are skipped,
 * a backslash before a newline joins lines.  `$1 $s2 $o3 $&4` are single
 * tokens.  Operators are returned as text in tok.text.
 */
#include "hoc/hoc_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void hocL_init(hoc_lex *lx, const char *src, const char *path) {
    memset(lx, 0, sizeof *lx);
    lx->src = lx->p = src;
    lx->path = path;
    lx->line = 1;
}

static int lex_one(hoc_lex *lx, hoc_tok *t) {
    const char *p = lx->p;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f') ++p;
        if (p[0] == '\\' && (p[1] == '\n' || (p[1] == '\r' && p[2] == '\n'))) {
            p += p[1] == '\n' ? 2 : 3;
            lx->line++;
            continue;
        }
        if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n') ++p;
            continue;
        }
        if (p[0] == '/' && p[1] == '*') {
            p += 2;
            while (*p && !(p[0] == '*' && p[1] == '/')) {
                if (*p == '\n') lx->line++;
                ++p;
            }
            if (!*p) {
                snprintf(lx->err, sizeof lx->err, "unterminated comment");
                return -1;
            }
            p += 2;
            continue;
        }
        break;
    }
    t->line = lx->line;
    t->text[0] = 0;
    if (!*p) {
        t->kind = T_EOF;
        lx->p = p;
        return 0;
    }
    if (*p == '\n') {
        t->kind = T_NL;
        lx->line++;
        lx->p = p + 1;
        return 0;
    }
    if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
        char *end;
        t->num = strtod(p, &end);
        t->kind = T_NUM;
        lx->p = end;
        return 0;
    }
    if (isalpha((unsigned char)*p) || *p == '_') {
        size_t n = 0;
        while (isalnum((unsigned char)p[n]) || p[n] == '_') ++n;
        if (n >= sizeof t->text) {
            snprintf(lx->err, sizeof lx->err, "name too long");
            return -1;
        }
        memcpy(t->text, p, n);
        t->text[n] = 0;
        t->kind = T_IDENT;
        lx->p = p + n;
        return 0;
    }
    if (*p == '"') {
        size_t n = 0;
        ++p;
        while (*p && *p != '"' && *p != '\n') {
            char c = *p++;
            if (c == '\\' && *p) {
                char e = *p;
                if (e == 'n' || e == 't' || e == 'r' || e == '"' || e == '\\') {
                    ++p;
                    c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
                }
                /* other escapes keep the backslash (regular expressions) */
            }
            if (n + 1 >= sizeof t->text) {
                snprintf(lx->err, sizeof lx->err, "string too long");
                return -1;
            }
            t->text[n++] = c;
        }
        if (*p != '"') {
            snprintf(lx->err, sizeof lx->err, "unterminated string");
            return -1;
        }
        t->text[n] = 0;
        t->kind = T_STR;
        lx->p = p + 1;
        return 0;
    }
    if (*p == '$') {
        ++p;
        char k = 'n';
        if (*p == 's' || *p == 'o' || *p == '&') k = *p++;
        t->text[0] = k;
        t->text[1] = 0;
        if (isalpha((unsigned char)*p) || *p == '_') { /* $i: index in a variable */
            size_t n = 0;
            while ((isalnum((unsigned char)p[n]) || p[n] == '_') && n < sizeof t->text - 2) ++n;
            memcpy(t->text + 1, p, n);
            t->text[n + 1] = 0;
            t->num = 0;
            t->kind = T_ARG;
            lx->p = p + n;
            return 0;
        }
        if (!isdigit((unsigned char)*p)) {
            snprintf(lx->err, sizeof lx->err, "bad argument reference after $");
            return -1;
        }
        t->num = strtol(p, (char **)&p, 10);
        t->kind = T_ARG;
        lx->p = p;
        return 0;
    }
    static const char *two[] = {"==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/="};
    for (size_t i = 0; i < sizeof two / sizeof *two; ++i)
        if (p[0] == two[i][0] && p[1] == two[i][1]) {
            memcpy(t->text, two[i], 3);
            t->kind = T_OP;
            lx->p = p + 2;
            return 0;
        }
    if (strchr("+-*/%^<>=!(){}[],;.&:", *p)) {
        t->text[0] = *p;
        t->text[1] = 0;
        t->kind = T_OP;
        lx->p = p + 1;
        return 0;
    }
    snprintf(lx->err, sizeof lx->err, "unexpected character '%c'", *p);
    return -1;
}

int hocL_next(hoc_lex *lx) {
    if (lx->has_peek) {
        lx->tok = lx->peek;
        lx->has_peek = 0;
        return 0;
    }
    return lex_one(lx, &lx->tok);
}

int hocL_peek(hoc_lex *lx, hoc_tok **t) {
    if (!lx->has_peek) {
        if (lex_one(lx, &lx->peek)) return -1;
        lx->has_peek = 1;
    }
    *t = &lx->peek;
    return 0;
}
