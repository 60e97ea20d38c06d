/* SPDX-License-Identifier: MIT
 * ranvier/sonata_nodesets.h -- SONATA node sets and compartment sets
 * (layer 4, depends on base and sonata_circuit.h).
 *
 * ---- node sets ------------------------------------------------------------
 * A node sets file is a JSON object; each member defines one named set:
 *
 *   "basic":    {"mtype": "L5_TPC", "layer": [4, 5], "x": {"$gt": 10.5}, ...}
 *   "compound": ["basic", "other", ...]          union of the named sets
 *
 * Basic sets: every key is one clause and the clauses are ANDed.
 *   "population": "A" | ["A", "B"]   the population's name is one of these
 *   "node_id": 3 | [1, 2, 3]         node ids (rows of the population, as
 *                                    libsonata); ids beyond it are ignored.
 *                                    A BMTK node_id dataset is not consulted
 *                                    (in the shared BMTK files it is the row)
 *   ATTR: 21 | "s"                   the node's value of attribute ATTR equals
 *   ATTR: [21, 22] | ["a", "b"]      ... any of these (all numbers or all strings)
 *   ATTR: {"$regex": "^L5"}          ... string attribute matching the regex
 *   ATTR: {"$gt"|"$lt"|"$gte"|"$lte": 2.5}   ... numeric attribute compares
 * ATTR is any attribute of the population as sonata_circuit.h exposes it:
 * HDF5 group datasets, types-CSV columns, "@dynamics:NAME" for a
 * dynamics_params dataset (a ranvier extension), and "node_type_id"
 * (BMTK; also a ranvier extension: libsonata does not know it).
 *
 * Semantics follow libsonata (src/node_sets.cpp, src/nodes.cpp):
 *  - An empty list (for any key) matches nothing.  An empty object {} is not a
 *    definition at all: it is skipped (with a warning) and its name stays
 *    undefined.
 *  - Numbers to compare for equality must be integers (1.0 counts as 1;
 *    1.5 is refused at load).  Equality against a float attribute
 *    (float32/float64 dataset, or a CSV column of non-integers) is refused
 *    at select time (RV_EFORMAT): use $gt/$lt/$gte/$lte.
 *  - An @library enumeration attribute is compared through its strings
 *    ("mtype": "L5_TPC" and $regex); comparing it with integers is refused,
 *    as libsonata.  $gt/$lt/... on an enumeration compare its indices (as
 *    libsonata does).  Strings against a numeric attribute, $regex on a
 *    numeric attribute and $gt... on a string attribute are refused.
 *  - $regex: the pattern is searched for anywhere in the value (libsonata
 *    calls std::regex_search with the default ECMAScript grammar, not
 *    regex_match: anchor with ^...$ for a full match).  ranvier compiles it
 *    as a POSIX ERE (<regex.h>, glibc) after translating the common
 *    ECMAScript forms: \d \D \w \W \s \S, \n \t \r \f \v, \xHH, \uHHHH
 *    (ASCII inside brackets), escaped punctuation, (?:...), lazy quantifiers
 *    (*? +? ?? {n,m}? -- same matches for a search), literal { } as in
 *    ECMAScript Annex B, and bracket expressions with escapes.  Refused
 *    (RV_EUNSUPPORTED at load): look-around (?= (?! (?<= (?<!, named groups,
 *    backreferences, \p{..}, \c, [] and [^].  Differences left: '.' also
 *    matches a newline; alternation is POSIX leftmost-longest (no effect on
 *    whether a value matches).  libsonata compiles the regex only when a set
 *    is materialised (an invalid one throws std::regex_error there); ranvier
 *    compiles it at load and reports the position.
 *  - "population" takes a string or a list of strings and "node_id" a
 *    non-negative integer or a list of them; anything else (numbers for
 *    population, strings, floats or negative values for node_id, an
 *    operator object for either) is refused at load.  libsonata treats an
 *    operator object there as a clause on an attribute named "population"
 *    or "node_id", which then fails when materialised; ranvier refuses it
 *    early.
 *  - A compound member that names no set (after merging all sources) is an
 *    error at load (RV_ENOENT), as is a circular definition (RV_EFORMAT,
 *    the cycle is printed).  libsonata finds cycles with a depth limit of 10
 *    while it validates compounds in name order, which also refuses some
 *    deep acyclic hierarchies; ranvier finds cycles exactly and accepts any
 *    acyclic depth.  select() on an unknown name is RV_ENOENT.
 *  - An attribute the population does not have makes that basic set select
 *    nothing in that population.  libsonata throws "No such attribute"
 *    there and neurodamus catches the error and skips the population (with
 *    a warning), dropping also what other members of a compound would have
 *    selected in it; ranvier keeps those.  RV_SONATA_NODESETS_STRICT makes
 *    it an error, as libsonata.  A row whose value is missing (CSV NONE, a
 *    group without the dataset and no CSV column) does not match.
 *  - Order of evaluation in a basic set: "population" first (a set whose
 *    population clause excludes this population selects nothing and is not
 *    checked further), an empty list next (same), then node_id, then the
 *    type checks of every attribute clause against the population's
 *    datasets (errors do not depend on the data), then the attribute
 *    clauses in file order, each reading only the rows still selected.
 *  - Within a compound, single-clause equality sets on the same attribute
 *    are merged and read once (libsonata does the same).
 *
 * Files and merging: rv_sonata_nodesets_load reads the circuit's node sets
 * file, then the simulation's (a definition there replaces the circuit's of
 * the same name, libsonata's NodeSets::update; a warning records it), then
 * BMTK inline "node_sets" JSON (replacing both).  Compound members are
 * resolved after merging, so a simulation file may name circuit sets (each
 * libsonata NodeSets object is validated alone, which refuses that).  The
 * same path given twice is read once.  Duplicate keys in one object are
 * refused (jansson; nlohmann keeps the last).
 *
 * Errors name the file (or the label of a text source), the line and column
 * of the offending JSON value, the key path ("mySet.mtype", "combined[2]")
 * in err->key and the node-set name in the message.  Select-time errors
 * name the clause the same way and the population and nodes file in the
 * message; errors of the nodes reader pass through with "node set 'X': "
 * prepended.
 *
 * ---- compartment sets ------------------------------------------------------
 * libsonata's compartment_sets.json (src/compartment_sets.cpp):
 *   {"name": {"population": "A", "compartment_set": [[node_id, section_index,
 *   offset], ...]}, ...}
 * "population" (string) and "compartment_set" (array) are mandatory; other
 * keys are ignored.  Each entry is an array of exactly three numbers:
 * node_id and section_index non-negative integers, offset in [0, 1].  The
 * entries must be strictly increasing in (node_id, section_index, offset)
 * order -- sorted, no duplicates -- as libsonata requires.  An empty list
 * is allowed.  Duplicate keys are refused.
 *
 * Memory: everything returned lives in rv_malloc blocks owned by the object
 * and stays valid until it is destroyed; selections returned are the
 * caller's (rv_sonata_sel_free).  jansson's parse trees and regcomp's
 * internals use the C library's allocator (as in sonata_config.h).
 * Objects are not thread-safe.
 */
#ifndef RV_SONATA_NODESETS_H
#define RV_SONATA_NODESETS_H

#include "ranvier/base.h"
#include "ranvier/sonata_circuit.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- node sets: loading ---------------------------------------------------- */
typedef struct rv_sonata_nodesets rv_sonata_nodesets;

/* Merge node-set files: circuit file, then simulation file (its definitions
 * take precedence), then inline JSON text (BMTK "node_sets" object); any may
 * be NULL (all NULL gives an empty collection).  On failure *out is NULL. */
rv_status rv_sonata_nodesets_load(const char *circuit_path, const char *simulation_path,
                                  const char *inline_json, rv_sonata_nodesets **out, rv_error *err);

/* One source of definitions: a file, or JSON text with a label for messages. */
typedef struct rv_sonata_nodesets_source {
    const char *path;  /* a node sets file; NULL: use text */
    const char *text;  /* JSON text when path is NULL */
    const char *label; /* name of the text in messages; NULL: "<node_sets>" */
} rv_sonata_nodesets_source;

/* The general form: sources merged in order, later definitions replacing
 * earlier ones of the same name; compounds resolved and checked at the end. */
rv_status rv_sonata_nodesets_load_sources(const rv_sonata_nodesets_source *src, size_t n,
                                          rv_sonata_nodesets **out, rv_error *err);

void rv_sonata_nodesets_destroy(rv_sonata_nodesets *ns); /* NULL ok */

/* ---- node sets: what was loaded -------------------------------------------- */
/* Definitions, sorted by name (byte order). */
size_t rv_sonata_nodesets_count(const rv_sonata_nodesets *ns);
const char *rv_sonata_nodesets_name(const rv_sonata_nodesets *ns,
                                    size_t i); /* NULL if out of range */
/* Index of `name`, or -1. */
long rv_sonata_nodesets_find(const rv_sonata_nodesets *ns, const char *name);

typedef struct rv_sonata_nodeset_info {
    const char *name;
    int compound;          /* 1: an array of names */
    size_t n_members;      /* compound: names listed; basic: clauses */
    const char *source;    /* the file (or text label) that defined it */
    int line, col;         /* of its value there */
    const char *overrides; /* the source whose definition it replaced, NULL if none */
    const char *json;      /* the definition, compact JSON */
} rv_sonata_nodeset_info;

rv_status rv_sonata_nodesets_info(const rv_sonata_nodesets *ns, size_t i,
                                  rv_sonata_nodeset_info *out, rv_error *err);
/* k-th member name of compound i (NULL if not a compound or out of range). */
const char *rv_sonata_nodesets_member(const rv_sonata_nodesets *ns, size_t i, size_t k);

/* Things accepted but worth telling ("file:line:col: text"): empty {}
 * definitions skipped, definitions replaced by a later source. */
size_t rv_sonata_nodesets_warning_count(const rv_sonata_nodesets *ns);
const char *rv_sonata_nodesets_warning(const rv_sonata_nodesets *ns, size_t i);

/* ---- node sets: materialising ---------------------------------------------- */
/* Materialise node set `name` on one nodes population: sorted selection of
 * node ids (empty if the set does not apply to this population). */
rv_status rv_sonata_nodesets_select(rv_sonata_nodesets *ns, const char *name, rv_sonata_pop *pop,
                                    rv_sonata_sel *out, rv_error *err);

/* An attribute absent from the population is an error (libsonata), instead
 * of selecting nothing there. */
#define RV_SONATA_NODESETS_STRICT 1u

rv_status rv_sonata_nodesets_select_ex(rv_sonata_nodesets *ns, const char *name, rv_sonata_pop *pop,
                                       unsigned flags, rv_sonata_sel *out, rv_error *err);

/* ---- compartment sets ------------------------------------------------------ */
typedef struct rv_sonata_compsets rv_sonata_compsets;

typedef struct rv_sonata_compartment {
    uint64_t node_id;
    uint64_t section_index;
    double offset; /* in [0, 1] */
} rv_sonata_compartment;

rv_status rv_sonata_compsets_load(const char *path, rv_sonata_compsets **out, rv_error *err);
/* From JSON text; `label` names it in messages (NULL: "<compartment_sets>"). */
rv_status rv_sonata_compsets_parse(const char *text, const char *label, rv_sonata_compsets **out,
                                   rv_error *err);
void rv_sonata_compsets_destroy(rv_sonata_compsets *cs); /* NULL ok */

/* Sets sorted by name. */
size_t rv_sonata_compsets_count(const rv_sonata_compsets *cs);
const char *rv_sonata_compsets_name(const rv_sonata_compsets *cs, size_t i);
long rv_sonata_compsets_find(const rv_sonata_compsets *cs, const char *name);
const char *rv_sonata_compsets_population(const rv_sonata_compsets *cs, size_t i);
/* Line and column of set i in its file. */
void rv_sonata_compsets_where(const rv_sonata_compsets *cs, size_t i, int *line, int *col);
/* The entries of set i, in file order (= sorted). */
size_t rv_sonata_compsets_size(const rv_sonata_compsets *cs, size_t i);
const rv_sonata_compartment *rv_sonata_compsets_items(const rv_sonata_compsets *cs, size_t i);
/* Distinct node ids of set i as a selection (libsonata's nodeIds()). */
rv_status rv_sonata_compsets_node_ids(const rv_sonata_compsets *cs, size_t i, rv_sonata_sel *out,
                                      rv_error *err);
/* Entries of set i whose node id is in `sel` (libsonata's size(selection);
 * an empty selection counts every entry, as libsonata). */
size_t rv_sonata_compsets_count_in(const rv_sonata_compsets *cs, size_t i,
                                   const rv_sonata_sel *sel);
/* Check set i against a nodes population (a ranvier addition): its
 * population name is `pop`'s and every node id is below the population's
 * size.  RV_EINVAL (wrong population) or RV_ERANGE, naming the entry. */
rv_status rv_sonata_compsets_check(const rv_sonata_compsets *cs, size_t i, const rv_sonata_pop *pop,
                                   rv_error *err);

#ifdef __cplusplus
}
#endif
#endif
