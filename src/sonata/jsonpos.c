/* SPDX-License-Identifier: MIT
 * sonata/jsonpos.c -- the position lexer shared by config_json.c and
 * nodesets_json.c (see jsonpos_int.h).
 */
#include "jsonpos_int.h"

#include <string.h>

void rv__jpos_init(rv__jpos_scan *s, const char *text, size_t len) {
    s->p = text;
    s->end = text + len;
    s->line_start = text;
    s->line = 1;
}

void rv__jpos_ws(rv__jpos_scan *s) {
    while (s->p < s->end) {
        char ch = *s->p;
        if (ch == '\n') {
            s->line++;
            s->p++;
            s->line_start = s->p;
        } else if (ch == ' ' || ch == '\t' || ch == '\r') {
            s->p++;
        } else {
            break;
        }
    }
}

int rv__jpos_col(const rv__jpos_scan *s) {
    return (int)(s->p - s->line_start) + 1;
}

static int hexval(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return 0;
}

static unsigned read_hex4(rv__jpos_scan *s) {
    unsigned u = 0;
    for (int k = 0; k < 4 && s->p < s->end; k++) u = u * 16 + (unsigned)hexval(*s->p++);
    return u;
}

static void put_utf8(rv__jpos_sink put, void *ctx, unsigned u) {
    char b[4];
    size_t k = 0;
    if (u < 0x80) {
        b[k++] = (char)u;
    } else if (u < 0x800) {
        b[k++] = (char)(0xC0 | (u >> 6));
        b[k++] = (char)(0x80 | (u & 0x3F));
    } else if (u < 0x10000) {
        b[k++] = (char)(0xE0 | (u >> 12));
        b[k++] = (char)(0x80 | ((u >> 6) & 0x3F));
        b[k++] = (char)(0x80 | (u & 0x3F));
    } else {
        b[k++] = (char)(0xF0 | (u >> 18));
        b[k++] = (char)(0x80 | ((u >> 12) & 0x3F));
        b[k++] = (char)(0x80 | ((u >> 6) & 0x3F));
        b[k++] = (char)(0x80 | (u & 0x3F));
    }
    put(ctx, b, k);
}

void rv__jpos_string(rv__jpos_scan *s, rv__jpos_sink put, void *ctx) {
    s->p++; /* opening quote */
    while (s->p < s->end && *s->p != '"') {
        const char *run = s->p;
        while (s->p < s->end && *s->p != '"' && *s->p != '\\') s->p++;
        if (put && s->p > run) put(ctx, run, (size_t)(s->p - run));
        if (s->p >= s->end || *s->p == '"') break;
        s->p++; /* backslash */
        if (s->p >= s->end) break;
        char e = *s->p++;
        unsigned u;
        switch (e) {
        case 'b':
            u = '\b';
            break;
        case 'f':
            u = '\f';
            break;
        case 'n':
            u = '\n';
            break;
        case 'r':
            u = '\r';
            break;
        case 't':
            u = '\t';
            break;
        case 'u':
            u = read_hex4(s);
            if (u >= 0xD800 && u < 0xDC00 && s->p + 1 < s->end && s->p[0] == '\\' &&
                s->p[1] == 'u') {
                s->p += 2;
                unsigned lo = read_hex4(s);
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            break;
        default:
            u = (unsigned char)e;
            break;
        }
        if (put) put_utf8(put, ctx, u);
    }
    if (s->p < s->end) s->p++; /* closing quote */
}

void rv__jpos_scalar(rv__jpos_scan *s) {
    while (s->p < s->end && !strchr(",]} \t\r\n", *s->p)) s->p++;
}
