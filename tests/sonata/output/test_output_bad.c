/* SPDX-License-Identifier: MIT
 * tests/sonata/output/test_output_bad.c -- malformed spike and report files:
 * each must give one precise error (status, words of the message, the
 * dataset named in the key), never a crash.  The files come from
 * make_fixtures.py (h5py) and from the shared libsonata test data.
 *
 *   test_output_bad FIXTURE_DIR SHARED_DIR
 */
#include "ranvier/sonata_output.h"

#include <stdio.h>
#include <string.h>

typedef enum { SPIKES, DAT, REPORT } kind;

typedef struct bad_case {
    kind k;
    const char *file; /* "@" prefix: under SHARED_DIR/data, else FIXTURE_DIR */
    const char *pop;  /* reports: population to load */
    rv_status code;
    const char *words; /* must be in the message */
    const char *key;   /* must equal the key ("" none) */
    int line;          /* expected line (text files), 0 none */
} bad_case;

static const bad_case cases[] = {
    /* files that cannot be read */
    {SPIKES, "does_not_exist.h5", NULL, RV_ENOENT, "No such file", "", 0},
    {REPORT, "does_not_exist.h5", NULL, RV_ENOENT, "No such file", "", 0},
    {DAT, "does_not_exist.dat", NULL, RV_ENOENT, "No such file", "", 0},
    {SPIKES, "not_hdf5.h5", NULL, RV_EFORMAT, "is not an HDF5 file", "", 0},
    {REPORT, "not_hdf5.h5", NULL, RV_EFORMAT, "is not an HDF5 file", "", 0},
    {SPIKES, "no_spikes_group.h5", NULL, RV_EFORMAT, "no group '/spikes'", "/spikes", 0},
    {REPORT, "bmtk_empty.h5", NULL, RV_EFORMAT, "no group '/report'", "/report", 0},
    /* spike files */
    {SPIKES, "spikes_missing_ds.h5", NULL, RV_EFORMAT, "missing dataset 'node_ids'",
     "/spikes/p/node_ids", 0},
    {SPIKES, "spikes_float_ids.h5", NULL, RV_EFORMAT,
     "'node_ids' has type float64 (expected an integer type)", "/spikes/p/node_ids", 0},
    {SPIKES, "spikes_string_times.h5", NULL, RV_EFORMAT,
     "'timestamps' has type string (expected floating point)", "/spikes/p/timestamps", 0},
    {SPIKES, "spikes_len_mismatch.h5", NULL, RV_EFORMAT,
     "'node_ids' has 4 entries but 'timestamps' has 5", "/spikes/p", 0},
    {SPIKES, "spikes_bad_sorting.h5", NULL, RV_EFORMAT, "unknown spike sorting 'by_name'",
     "/spikes/p@sorting", 0},
    {SPIKES, "spikes_bad_enum.h5", NULL, RV_EFORMAT, "value outside its enum", "/spikes/p@sorting",
     0},
    {SPIKES, "spikes_negative_ids.h5", NULL, RV_ERANGE, "node id -3 at index 1 is negative",
     "/spikes/p/node_ids", 0},
    /* out.dat */
    {DAT, "out_bad.dat", NULL, RV_EFORMAT, "found '1.500\tabc'", "", 4},
    {DAT, "out_negative.dat", NULL, RV_EFORMAT, "non-negative integer", "", 2},
    /* reports */
    {REPORT, "report_ip_short.h5", "All", RV_EFORMAT,
     "'index_pointers' has 3 entries, expected 4 ('node_ids' size plus one)",
     "/report/All/mapping/index_pointers", 0},
    {REPORT, "report_ip_decreasing.h5", "All", RV_EFORMAT,
     "index_pointers decrease at node 1 (4 then 2)", "/report/All/mapping/index_pointers", 0},
    {REPORT, "report_ip_end.h5", "All", RV_EFORMAT,
     "index_pointers end at 5 but 'element_ids' has 6 entries",
     "/report/All/mapping/index_pointers", 0},
    {REPORT, "report_ip_start.h5", "All", RV_EFORMAT, "index_pointers[0] is 1, expected 0",
     "/report/All/mapping/index_pointers", 0},
    {REPORT, "report_data_f64.h5", "All", RV_EFORMAT, "'data' has type float64 (expected float32)",
     "/report/All/data", 0},
    {REPORT, "@sonata-format/somas.h5", "soma1", RV_EFORMAT,
     "'data' has type float64 (expected float32)", "/report/soma1/data", 0},
    {REPORT, "@sonata-format/somas.h5", "soma2", RV_EFORMAT, "has no group 'mapping'",
     "/report/soma2/mapping", 0},
    {REPORT, "report_time_len.h5", "All", RV_EFORMAT, "'time' is float64[2] (expected 3",
     "/report/All/mapping/time", 0},
    {REPORT, "report_frames_mismatch.h5", "All", RV_EFORMAT,
     "'data' has 3 frames but time [0, 1, 0.25] gives 4", "/report/All/data", 0},
    {REPORT, "report_cols_mismatch.h5", "All", RV_EFORMAT,
     "'data' has 5 columns but the mapping lists 6 elements", "/report/All/data", 0},
    {REPORT, "report_float_ids.h5", "All", RV_EFORMAT,
     "'node_ids' has type float64 (expected an integer type)", "/report/All/mapping/node_ids", 0},
    {REPORT, "report_missing_time.h5", "All", RV_EFORMAT, "missing dataset 'time'",
     "/report/All/mapping/time", 0},
    {REPORT, "report_unsorted.h5", "nope", RV_ENOENT, "no report population 'nope'", "/report", 0},
};

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FIXTURE_DIR SHARED_DIR\n", argv[0]);
        return 2;
    }
    int failures = 0, n = (int)(sizeof cases / sizeof cases[0]);
    for (int i = 0; i < n; i++) {
        const bad_case *c = &cases[i];
        char path[1024], buf[1200];
        if (c->file[0] == '@')
            snprintf(path, sizeof path, "%s/data/%s", argv[2], c->file + 1);
        else
            snprintf(path, sizeof path, "%s/%s", argv[1], c->file);
        rv_error e = {0};
        rv_status st;
        rv_sonata_spikes *s = NULL;
        if (c->k == SPIKES) {
            st = rv_sonata_spikes_read(path, &s, &e);
        } else if (c->k == DAT) {
            st = rv_sonata_spikes_read_dat(path, "p", &s, &e);
        } else {
            rv_sonata_report *r = NULL;
            const rv_sonata_report_pop *p;
            st = rv_sonata_report_open(path, &r, &e);
            if (st == RV_OK) st = rv_sonata_report_pop_get(r, c->pop, &p, &e);
            rv_sonata_report_destroy(r);
        }
        rv_sonata_spikes_destroy(s);
        rv_error_format(&e, buf, sizeof buf);
        int ok = st == c->code && strstr(e.msg, c->words) && strcmp(e.key, c->key) == 0 &&
                 e.line == c->line && strcmp(e.path, path) == 0 && e.src_file && e.src_line > 0;
        if (!ok) {
            failures++;
            fprintf(stderr,
                    "FAIL %s: status %d (want %d), message '%s' (want '%s'), key '%s' (want "
                    "'%s'), line %d (want %d), path '%s'\n",
                    c->file, st, c->code, e.msg, c->words, e.key, c->key, e.line, c->line, e.path);
        } else {
            printf("ok: %s\n", buf);
        }
    }
    printf("%d bad inputs, %d passed, %d failed\n", n, n - failures, failures);
    return failures != 0;
}
