/* SPDX-License-Identifier: MIT
 * tests/sonata/output/bench_report.c -- benchmark (not a test): write a
 * FRAMES x ELEMENTS compartment report through rv_sonata_report_writer and
 * print MB/s, next to a baseline that writes the same float32 dataset with
 * raw HDF5 calls in slabs of the same size.
 *
 *   bench_report DIR [FRAMES=1000] [ELEMENTS=100000] [BUFFER_BYTES=4194304]
 *
 * Elements are spread over ELEMENTS/100 nodes of 100 elements, added in
 * ascending id order.  Times are wall clock from writer creation to the
 * committed file (close + rename); "+fsync" adds the flush to disk.
 */
#include "ranvier/sonata_output.h"

#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double sync_file(const char *path) {
    double t = now();
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return now() - t;
}

static int bench_writer(const char *path, size_t frames, size_t elements, size_t buffer,
                        double *secs) {
    rv_error e = {0};
    rv_sonata_report_writer *w;
    rv_sonata_report_params prm = {.tstart = 0,
                                   .tend = 0.1 * (double)frames,
                                   .dt = 0.1,
                                   .n_frames = frames,
                                   .buffer_bytes = buffer};
    double *v = malloc(elements * sizeof *v);
    uint32_t el[100];
    for (int j = 0; j < 100; j++) el[j] = (uint32_t)j;
    double t0 = now();
    rv_status st = rv_sonata_report_writer_create(&w, path, &prm, NULL, &e);
    for (size_t n = 0; st == RV_OK && n * 100 < elements; n++) {
        size_t k = elements - n * 100 < 100 ? elements - n * 100 : 100;
        st = rv_sonata_report_writer_add_node(w, "All", n, el, k, &e);
    }
    for (size_t f = 0; st == RV_OK && f < frames; f++) {
        for (size_t i = 0; i < elements; i++) v[i] = -65.0 + 1e-3 * (double)(i + f);
        st = rv_sonata_report_writer_frame(w, v, &e);
    }
    if (st == RV_OK) st = rv_sonata_report_writer_close(w, &e);
    *secs = now() - t0;
    rv_sonata_report_writer_destroy(w);
    free(v);
    if (st != RV_OK) {
        char buf[1024];
        fprintf(stderr, "%s\n", rv_error_format(&e, buf, sizeof buf));
        return 1;
    }
    return 0;
}

/* Same dataset, raw HDF5: slabs of k frames from one prepared buffer
 * (conversion to float counted, as the writer does it too). */
static int bench_raw(const char *path, size_t frames, size_t elements, size_t buffer,
                     double *secs) {
    size_t k = buffer / (4 * elements);
    if (k < 1) k = 1;
    if (k > frames) k = frames;
    float *buf = malloc(k * elements * sizeof *buf);
    double t0 = now();
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims[2] = {frames, elements};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t ds = H5Dcreate2(f, "data", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int bad = f < 0 || ds < 0;
    for (size_t r = 0; !bad && r < frames; r += k) {
        size_t n = frames - r < k ? frames - r : k;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < elements; j++)
                buf[i * elements + j] = (float)(-65.0 + 1e-3 * (double)(j + r + i));
        hsize_t start[2] = {r, 0}, count[2] = {n, elements};
        hid_t ms = H5Screate_simple(2, count, NULL), fs = H5Dget_space(ds);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
        bad = H5Dwrite(ds, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, buf) < 0;
        H5Sclose(ms);
        H5Sclose(fs);
    }
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(f);
    *secs = now() - t0;
    free(buf);
    return bad;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [FRAMES] [ELEMENTS] [BUFFER_BYTES]\n", argv[0]);
        return 2;
    }
    size_t frames = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000;
    size_t elements = argc > 3 ? strtoull(argv[3], NULL, 10) : 100000;
    size_t buffer = argc > 4 ? strtoull(argv[4], NULL, 10) : (size_t)4 << 20;
    char p1[1024], p2[1024];
    snprintf(p1, sizeof p1, "%s/bench_report.h5", argv[1]);
    snprintf(p2, sizeof p2, "%s/bench_raw.h5", argv[1]);
    double mb = (double)frames * (double)elements * 4 / 1e6;
    printf("report %zu frames x %zu elements (%.0f MB of float32), buffer %zu bytes\n", frames,
           elements, mb, buffer);
    /* three rounds, order alternating, so that page-cache write-back of one
     * file does not always fall on the same contender */
    for (int round = 0; round < 3; round++) {
        for (int k = 0; k < 2; k++) {
            int raw = (k + round) % 2;
            double t, s;
            if (raw ? bench_raw(p2, frames, elements, buffer, &t)
                    : bench_writer(p1, frames, elements, buffer, &t))
                return 1;
            s = sync_file(raw ? p2 : p1);
            printf("%s %7.3f s  %6.0f MB/s   (+fsync %7.3f s  %6.0f MB/s)\n",
                   raw ? "raw HDF5 baseline:      " : "rv_sonata_report_writer:", t, mb / t, t + s,
                   mb / (t + s));
            unlink(raw ? p2 : p1);
        }
    }
    unlink(p1);
    unlink(p2);
    return 0;
}
