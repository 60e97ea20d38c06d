/* SPDX-License-Identifier: MIT
 * nmodl/lexer.c -- NMODL tokens.
 *
 * Pulled one token at a time by the parser.  Besides ordinary tokens the
 * lexer handles the line-oriented parts of the language itself: `:` and `?`
 * comments to the end of the line, COMMENT ... ENDCOMMENT blocks, TITLE (the
 * rest of the line becomes one token) and VERBATIM ... ENDVERBATIM (the raw
 * text becomes one token).  Units are context dependent ("(mA/cm2)" after a
 * declaration is not an expression), so the parser asks for them with
 * nm_lex_raw_until once it has seen the opening parenthesis.  A name
 * directly followed by ' is a derivative (m' -> NT_PRIME "m", order 1).
 * Lines and columns are 1-based; a column counts bytes.
 */
#include "nmodl_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void nm_lex_init(nm_lexer *lx, const char *src, size_t len, nm_arena *a, nm_diag *d) {
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    lx->col = 1;
    lx->arena = a;
    lx->diag = d;
}

static int peekc(const nm_lexer *lx, size_t k) {
    return lx->pos + k < lx->len ? (unsigned char)lx->src[lx->pos + k] : -1;
}

static void adv(nm_lexer *lx) {
    if (lx->pos >= lx->len) return;
    if (lx->src[lx->pos] == '\n') {
        lx->line++;
        lx->col = 1;
    } else {
        lx->col++;
    }
    lx->pos++;
}

static bool is_name_start(int c) {
    return c >= 0 && (isalpha(c) || c == '_');
}
static bool is_name_char(int c) {
    return c >= 0 && (isalnum(c) || c == '_');
}

/* Does the text at pos start with word w as a whole word? */
static bool word_at(const nm_lexer *lx, size_t pos, const char *w) {
    size_t n = strlen(w);
    if (pos + n > lx->len || memcmp(lx->src + pos, w, n) != 0) return false;
    if (pos > 0 && is_name_char((unsigned char)lx->src[pos - 1])) return false;
    return pos + n == lx->len || !is_name_char((unsigned char)lx->src[pos + n]);
}

/* Skip to the whole word `end` (consumed); false at end of input. */
static bool skip_to_word(nm_lexer *lx, const char *end, size_t *start_out, size_t *end_out) {
    *start_out = lx->pos;
    while (lx->pos < lx->len) {
        if (word_at(lx, lx->pos, end)) {
            *end_out = lx->pos;
            for (size_t k = strlen(end); k > 0; --k) adv(lx);
            return true;
        }
        adv(lx);
    }
    *end_out = lx->pos;
    return false;
}

static void skip_space_and_comments(nm_lexer *lx) {
    for (;;) {
        int c = peekc(lx, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            adv(lx);
        } else if (c == ':' || c == '?') {
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n') adv(lx);
        } else if (c == 'C' && word_at(lx, lx->pos, "COMMENT")) {
            int line = lx->line, col = lx->col;
            size_t s, e;
            for (int k = 0; k < 7; ++k) adv(lx);
            if (!skip_to_word(lx, "ENDCOMMENT", &s, &e))
                nm_error(lx->diag, line, col, "COMMENT without ENDCOMMENT");
        } else {
            return;
        }
    }
}

static nm_token make(nm_lexer *lx, nm_tok_kind k, int line, int col) {
    (void)lx;
    nm_token t;
    memset(&t, 0, sizeof t);
    t.kind = k;
    t.line = line;
    t.col = col;
    return t;
}

static nm_token lex_number(nm_lexer *lx, int line, int col) {
    size_t s = lx->pos;
    while (peekc(lx, 0) >= 0 && isdigit(peekc(lx, 0))) adv(lx);
    if (peekc(lx, 0) == '.') {
        adv(lx);
        while (peekc(lx, 0) >= 0 && isdigit(peekc(lx, 0))) adv(lx);
    }
    int c = peekc(lx, 0);
    if (c == 'e' || c == 'E') {
        int c1 = peekc(lx, 1), c2 = peekc(lx, 2);
        if ((c1 >= 0 && isdigit(c1)) || ((c1 == '+' || c1 == '-') && c2 >= 0 && isdigit(c2))) {
            adv(lx);
            if (c1 == '+' || c1 == '-') adv(lx);
            while (peekc(lx, 0) >= 0 && isdigit(peekc(lx, 0))) adv(lx);
        }
    }
    nm_token t = make(lx, NT_NUMBER, line, col);
    t.text = nm_strndup(lx->arena, lx->src + s, lx->pos - s);
    t.num = t.text ? strtod(t.text, NULL) : 0.0;
    return t;
}

nm_token nm_lex_next(nm_lexer *lx) {
    skip_space_and_comments(lx);
    int line = lx->line, col = lx->col;
    int c = peekc(lx, 0);
    if (c < 0) return make(lx, NT_EOF, line, col);
    if (c == 0) {
        adv(lx);
        nm_token t = make(lx, NT_BAD, line, col);
        t.ival = 0;
        return t;
    }
    if (is_name_start(c)) {
        size_t s = lx->pos;
        while (is_name_char(peekc(lx, 0))) adv(lx);
        size_t n = lx->pos - s;
        const char *p = lx->src + s;
        if (n == 5 && memcmp(p, "TITLE", 5) == 0) {
            while (peekc(lx, 0) == ' ' || peekc(lx, 0) == '\t') adv(lx);
            size_t ts = lx->pos;
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n') adv(lx);
            size_t te = lx->pos;
            while (te > ts && (lx->src[te - 1] == '\r' || lx->src[te - 1] == ' ')) te--;
            nm_token t = make(lx, NT_TITLE, line, col);
            t.text = nm_strndup(lx->arena, lx->src + ts, te - ts);
            return t;
        }
        if (n == 8 && memcmp(p, "VERBATIM", 8) == 0) {
            size_t vs, ve;
            if (!skip_to_word(lx, "ENDVERBATIM", &vs, &ve))
                nm_error(lx->diag, line, col, "VERBATIM without ENDVERBATIM");
            nm_token t = make(lx, NT_VERBATIM, line, col);
            t.text = nm_strndup(lx->arena, lx->src + vs, ve - vs);
            return t;
        }
        nm_token t = make(lx, NT_NAME, line, col);
        t.text = nm_strndup(lx->arena, p, n);
        if (peekc(lx, 0) == '\'') {
            t.kind = NT_PRIME;
            while (peekc(lx, 0) == '\'') {
                adv(lx);
                t.ival++;
            }
        }
        return t;
    }
    if ((c >= '0' && c <= '9') || (c == '.' && peekc(lx, 1) >= 0 && isdigit(peekc(lx, 1))))
        return lex_number(lx, line, col);
    if (c == '"') {
        adv(lx);
        size_t s = lx->pos;
        while (lx->pos < lx->len && lx->src[lx->pos] != '"' && lx->src[lx->pos] != '\n') {
            if (lx->src[lx->pos] == '\\' && lx->pos + 1 < lx->len) adv(lx);
            adv(lx);
        }
        nm_token t = make(lx, NT_STRING, line, col);
        t.text = nm_strndup(lx->arena, lx->src + s, lx->pos - s);
        if (peekc(lx, 0) == '"')
            adv(lx);
        else
            nm_error(lx->diag, line, col, "unterminated string");
        return t;
    }
    adv(lx);
    int c1 = peekc(lx, 0);
    nm_tok_kind k;
    switch (c) {
    case '{':
        k = NT_LBRACE;
        break;
    case '}':
        k = NT_RBRACE;
        break;
    case '(':
        k = NT_LPAREN;
        break;
    case ')':
        k = NT_RPAREN;
        break;
    case '[':
        k = NT_LBRACKET;
        break;
    case ']':
        k = NT_RBRACKET;
        break;
    case ',':
        k = NT_COMMA;
        break;
    case '+':
        k = NT_PLUS;
        break;
    case '*':
        k = NT_STAR;
        break;
    case '/':
        k = NT_SLASH;
        break;
    case '^':
        k = NT_CARET;
        break;
    case '~':
        k = NT_TILDE;
        break;
    case '@':
        k = NT_AT;
        break;
    case '%':
        k = NT_PERCENT;
        break;
    case '-':
        k = NT_MINUS;
        break;
    case '=':
        k = NT_ASSIGN;
        if (c1 == '=') adv(lx), k = NT_EQ;
        break;
    case '!':
        k = NT_NOT;
        if (c1 == '=') adv(lx), k = NT_NE;
        break;
    case '>':
        k = NT_GT;
        if (c1 == '=') adv(lx), k = NT_GE;
        break;
    case '<':
        k = NT_LT;
        if (c1 == '=') {
            adv(lx), k = NT_LE;
        } else if (c1 == '<') {
            adv(lx), k = NT_REACT1;
        } else if (c1 == '-' && peekc(lx, 1) == '>') {
            adv(lx), adv(lx), k = NT_REACT2;
        }
        break;
    case '&':
        if (c1 == '&') {
            adv(lx), k = NT_AND;
        } else {
            k = NT_BAD;
        }
        break;
    case '|':
        if (c1 == '|') {
            adv(lx), k = NT_OR;
        } else {
            k = NT_BAD;
        }
        break;
    default:
        k = NT_BAD;
        break;
    }
    nm_token t = make(lx, k, line, col);
    t.ival = c;
    return t;
}

const char *nm_lex_raw_until(nm_lexer *lx, char close, int *ok) {
    size_t s = lx->pos;
    int depth = 0;
    *ok = 0;
    while (lx->pos < lx->len) {
        char c = lx->src[lx->pos];
        if (c == '\n') break;
        if (c == '(') depth++;
        if (c == close) {
            if (depth == 0) {
                const char *r = nm_strndup(lx->arena, lx->src + s, lx->pos - s);
                adv(lx);
                *ok = 1;
                return r;
            }
            depth--;
        }
        adv(lx);
    }
    return nm_strndup(lx->arena, lx->src + s, lx->pos - s);
}

const char *nm_tok_name(nm_tok_kind k) {
    switch (k) {
    case NT_EOF:
        return "end of file";
    case NT_NAME:
        return "name";
    case NT_PRIME:
        return "derivative";
    case NT_NUMBER:
        return "number";
    case NT_STRING:
        return "string";
    case NT_TITLE:
        return "TITLE";
    case NT_VERBATIM:
        return "VERBATIM";
    case NT_LBRACE:
        return "'{'";
    case NT_RBRACE:
        return "'}'";
    case NT_LPAREN:
        return "'('";
    case NT_RPAREN:
        return "')'";
    case NT_LBRACKET:
        return "'['";
    case NT_RBRACKET:
        return "']'";
    case NT_COMMA:
        return "','";
    case NT_ASSIGN:
        return "'='";
    case NT_EQ:
        return "'=='";
    case NT_NE:
        return "'!='";
    case NT_LT:
        return "'<'";
    case NT_GT:
        return "'>'";
    case NT_LE:
        return "'<='";
    case NT_GE:
        return "'>='";
    case NT_AND:
        return "'&&'";
    case NT_OR:
        return "'||'";
    case NT_NOT:
        return "'!'";
    case NT_PLUS:
        return "'+'";
    case NT_MINUS:
        return "'-'";
    case NT_STAR:
        return "'*'";
    case NT_SLASH:
        return "'/'";
    case NT_CARET:
        return "'^'";
    case NT_TILDE:
        return "'~'";
    case NT_REACT2:
        return "'<->'";
    case NT_REACT1:
        return "'<<'";
    case NT_ARROW:
        return "'->'";
    case NT_AT:
        return "'@'";
    case NT_PERCENT:
        return "'%'";
    case NT_BAD:
        return "invalid character";
    }
    return "?";
}
