/* SPDX-License-Identifier: MIT
 * ranvier/sonata_config.h -- SONATA circuit and simulation configuration files
 * (layer 4, depends on base only).
 *
 * One call loads a configuration file and everything it names:
 *
 *   simulation_config.json   "run", "output", "conditions", "inputs", "reports",
 *                            "connection_overrides", ...; its "network" key names
 *                            the circuit config, which is loaded as well
 *   circuit_config.json      "components", "networks" {nodes, edges}, node sets
 *   config.json (Allen/BMTK) a root naming "network" and "simulation" sub-configs
 *
 * The result is one rv_sonata_config that owns every string and array below
 * it; rv_sonata_config_destroy frees all of it.  Pointers into it stay valid
 * until then.  The structs are plain data (no engine types, no HDF5).
 *
 * Two flavours are understood:
 *  - Blue Brain (libsonata / neurodamus): the reference.  Keys, defaults and
 *    validations follow libsonata: mandatory keys, enum values, module x
 *    input_type compatibility, report options, connection_overrides as an
 *    ordered array, conditions.mechanisms and modifications, beta_features.
 *  - Allen (BMTK): a root config.json with "network"/"simulation" file names,
 *    "${VAR}" and the built-in variables ${configdir}, ${configfname} and
 *    ${workingdir}, BMTK sort order spellings ("time", "id", ...), output
 *    files (spikes_file, log_file...) prefixed with output_dir, spike-file
 *    inputs ("input_file" with module h5/sonata/csv/nwb), IClamp inputs,
 *    run.dL, run.nsteps_block, run.tstart, run spike_threshold default -15.
 * RV_SONATA_CFG_FLAVOUR_AUTO picks Allen when the file is a root config or
 * uses Allen-only keys (run.dL, run.nsteps_block, run.tstart,
 * run/output.overwrite_output_dir, output.spikes_file_csv/nwb) or "${"; the
 * reason is recorded in rv_sonata_config.flavour_reason.
 *
 * Manifest: "manifest" maps variable names ("$NAME") to strings that may use
 * other variables.  Every string value of the file (outside "manifest") has
 * its $NAME and ${NAME} replaced (NAME: letters, digits, '_', not starting
 * with a digit; "$5" or a lone "$" is plain text).  A variable that is not
 * defined, a cycle
 * between variables or a malformed name is an error (libsonata leaves
 * unknown variables in place; ranvier refuses them), except inside the
 * free-form "metadata", "beta_features" and "node_sets" objects where the
 * text is kept as written.  Relative paths are resolved against the folder
 * of the file that contains them and normalised ("a/./b/../c" -> "a/c",
 * no trailing slash); every path field below is absolute.
 *
 * Errors: every problem found is recorded with the file, the line of the
 * offending value (or of the object that lacks a key), and the JSON key path
 * ("inputs.stim1.input_type", "conditions.modifications[2].type",
 * "networks.nodes[0].populations.RingA.type").  Invalid JSON reports
 * jansson's line and column; duplicated keys are refused.  Parsing goes on
 * after a problem wherever the rest of the file still makes sense, so one
 * call lists every problem (rv_sonata_config_problems).  Status codes:
 * RV_ENOENT (a file is missing), RV_EIO (unreadable), RV_EFORMAT (invalid
 * JSON, missing key, wrong type, unknown enum value, manifest), RV_ERANGE
 * (a value outside its domain: negative duration, dt <= 0...), RV_ENOMEM.
 *
 * Memory: the returned config lives in rv_malloc blocks.  jansson's parse
 * trees (freed before a load returns) use jansson's own allocator, because
 * jansson is not safe when an allocation fails.  Loads share no state and
 * may run in different threads.
 */
#ifndef RV_SONATA_CONFIG_H
#define RV_SONATA_CONFIG_H

#include "ranvier/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- options ------------------------------------------------------------ */
typedef enum rv_sonata_cfg_flavour {
    RV_SONATA_CFG_FLAVOUR_AUTO = 0,
    RV_SONATA_CFG_FLAVOUR_BBP = 1,  /* Blue Brain: libsonata rules */
    RV_SONATA_CFG_FLAVOUR_ALLEN = 2 /* Allen: BMTK rules */
} rv_sonata_cfg_flavour;

/* AUTO decides from the keys: "simulation" (a file name) -> root; "run" ->
 * simulation; "networks" or "components" -> circuit; only "network" -> root;
 * otherwise from the file name ("simulation", "circuit") or, failing that,
 * from "inputs"/"reports"/"output"/"conditions" (simulation). */
typedef enum rv_sonata_cfg_kind {
    RV_SONATA_CFG_KIND_AUTO = 0,
    RV_SONATA_CFG_KIND_CIRCUIT = 1,
    RV_SONATA_CFG_KIND_SIMULATION = 2,
    RV_SONATA_CFG_KIND_ROOT = 3 /* BMTK config.json: {"network": f, "simulation": f} */
} rv_sonata_cfg_kind;

typedef struct rv_sonata_cfg_options {
    rv_sonata_cfg_flavour flavour; /* AUTO when zero */
    rv_sonata_cfg_kind kind;       /* AUTO when zero */
    int skip_circuit;              /* 1: do not load the circuit named by a simulation config */
} rv_sonata_cfg_options;

/* ---- generic values (metadata, beta_features, mechanisms, raw keys) ----- */
typedef enum rv_sonata_cfg_value_type {
    RV_SONATA_CFG_VALUE_NULL = 0,
    RV_SONATA_CFG_VALUE_BOOL,
    RV_SONATA_CFG_VALUE_INT,
    RV_SONATA_CFG_VALUE_DOUBLE,
    RV_SONATA_CFG_VALUE_STRING,
    RV_SONATA_CFG_VALUE_JSON /* array or object: s holds it as compact JSON text */
} rv_sonata_cfg_value_type;

typedef struct rv_sonata_cfg_value {
    rv_sonata_cfg_value_type type;
    int b;         /* BOOL */
    long long i;   /* INT */
    double d;      /* DOUBLE; also set (converted) for INT */
    const char *s; /* STRING, JSON */
} rv_sonata_cfg_value;

typedef struct rv_sonata_cfg_param {
    const char *name;
    rv_sonata_cfg_value value;
} rv_sonata_cfg_param;

/* Key/value pairs in file order. */
typedef struct rv_sonata_cfg_params {
    size_t n;
    const rv_sonata_cfg_param *items;
} rv_sonata_cfg_params;

typedef struct rv_sonata_cfg_named_path {
    const char *name; /* e.g. "neurolucida-asc", "h5v1", "morphologies_dir" */
    const char *path; /* absolute */
} rv_sonata_cfg_named_path;

/* ---- circuit config ----------------------------------------------------- */
typedef enum rv_sonata_cfg_simulator {
    RV_SONATA_CFG_SIM_UNSPECIFIED = 0, /* simulation config without target and no circuit */
    RV_SONATA_CFG_SIM_NEURON,
    RV_SONATA_CFG_SIM_CORENEURON,
    RV_SONATA_CFG_SIM_LEARNING_ENGINE, /* "LearningEngine" */
    RV_SONATA_CFG_SIM_BRIAN2,          /* "Brian2" */
    RV_SONATA_CFG_SIM_NEST             /* "NEST" (Allen flavour only) */
} rv_sonata_cfg_simulator;

typedef enum rv_sonata_cfg_status {
    RV_SONATA_CFG_STATUS_COMPLETE = 0, /* default */
    RV_SONATA_CFG_STATUS_PARTIAL = 1   /* metadata.status "partial": checks relaxed */
} rv_sonata_cfg_status;

/* Properties of one population as the circuit config gives them, with the
 * "components" defaults filled in (libsonata's NodePopulationProperties /
 * EdgePopulationProperties).  NULL: not given anywhere. */
typedef struct rv_sonata_cfg_population {
    const char *name;          /* NULL in rv_sonata_cfg_network_file.defaults */
    const char *type;          /* "biophysical" (nodes) / "chemical" (edges) when not given */
    int type_given;            /* 1: "type" written in the config (overrides model_type) */
    const char *elements_path; /* nodes_file / edges_file */
    const char *types_path;    /* node_types_file / edge_types_file, NULL if none */
    size_t file_index;         /* index in node_files / edge_files */
    const char *morphologies_dir;
    const char *biophysical_neuron_models_dir;
    const char *point_neuron_models_dir;
    const char *mechanisms_dir;
    size_t n_alternate_morphologies; /* "neurolucida-asc", "h5v1", ... */
    const rv_sonata_cfg_named_path *alternate_morphologies;
    /* nodes */
    const char *spatial_segment_index_dir;
    const char *vasculature_file, *vasculature_mesh, *microdomains_file;
    /* edges */
    const char *spatial_synapse_index_dir;
    const char *endfeet_meshes_file, *spine_morphologies_dir;
} rv_sonata_cfg_population;

/* One entry of networks.nodes or networks.edges.  Its declared populations
 * are populations[first_population .. first_population + n_populations-1]
 * of the circuit; `defaults` holds what applies to a population found in the
 * file but not declared (BMTK circuits declare none). */
typedef struct rv_sonata_cfg_network_file {
    const char *elements_path;
    const char *types_path; /* NULL if none */
    size_t first_population, n_populations;
    rv_sonata_cfg_population defaults;
} rv_sonata_cfg_network_file;

typedef struct rv_sonata_cfg_components {
    const char *morphologies_dir;
    const char *biophysical_neuron_models_dir;
    const char *point_neuron_models_dir;
    const char *mechanisms_dir;
    const char *templates_dir;       /* BMTK */
    const char *synaptic_models_dir; /* BMTK */
    const char *vasculature_file, *vasculature_mesh, *endfeet_meshes_file, *microdomains_file;
    const char *spine_morphologies_dir;
    size_t n_alternate_morphologies;
    const rv_sonata_cfg_named_path *alternate_morphologies;
    size_t n_all; /* every string entry of "components", resolved, in file order */
    const rv_sonata_cfg_named_path *all;
} rv_sonata_cfg_components;

typedef struct rv_sonata_circuit_config {
    const char *path, *dir; /* the file and its folder (absolute) */
    rv_sonata_cfg_flavour flavour;
    rv_sonata_cfg_value version; /* "version", NULL type if absent */
    rv_sonata_cfg_status status;
    rv_sonata_cfg_simulator target_simulator; /* default NEURON */
    const char *node_sets_file;               /* NULL if none */
    rv_sonata_cfg_components components;
    size_t n_node_files, n_edge_files;
    const rv_sonata_cfg_network_file *node_files, *edge_files;
    size_t n_node_populations, n_edge_populations; /* declared ones, in file order */
    const rv_sonata_cfg_population *node_populations, *edge_populations;
    rv_sonata_cfg_params metadata; /* scalar entries of "metadata" */
    const char *expanded_json;     /* the file after manifest expansion (compact JSON) */
} rv_sonata_circuit_config;

/* ---- simulation config: run, output, conditions ------------------------- */
typedef enum rv_sonata_cfg_integration {
    RV_SONATA_CFG_INTEGRATION_EULER = 0, /* default */
    RV_SONATA_CFG_INTEGRATION_CRANK_NICOLSON,
    RV_SONATA_CFG_INTEGRATION_CRANK_NICOLSON_ION
} rv_sonata_cfg_integration;

typedef struct rv_sonata_cfg_run {
    double tstop, dt;
    int has_random_seed; /* mandatory for Blue Brain */
    long long random_seed;
    double spike_threshold; /* -30 (Blue Brain) / -15 (Allen) when absent */
    rv_sonata_cfg_integration integration_method;
    long long stimulus_seed, ionchannel_seed, minis_seed, synapse_seed; /* 0 when absent */
    const char *electrodes_file;                                        /* NULL if none */
    int has_forward_skip;
    double forward_skip;
    /* Allen */
    double dL;              /* 20 when absent */
    double tstart;          /* 0 when absent */
    long long nsteps_block; /* 0 when absent */
    int overwrite_output_dir;
} rv_sonata_cfg_run;

typedef enum rv_sonata_cfg_sort_order {
    RV_SONATA_CFG_SORT_BY_TIME = 0, /* Blue Brain default */
    RV_SONATA_CFG_SORT_BY_ID,
    RV_SONATA_CFG_SORT_NONE
} rv_sonata_cfg_sort_order;

typedef struct rv_sonata_cfg_output {
    const char *output_dir;  /* default "output" (Blue Brain) / "." (Allen), resolved */
    const char *log_file;    /* as written; "" (Blue Brain) / NULL (Allen) when absent */
    const char *log_path;    /* resolved under output_dir; NULL when no log file */
    const char *spikes_file; /* as written; "out.h5" (Blue Brain) / NULL (Allen) when absent */
    const char *spikes_path; /* resolved under output_dir; NULL when no spikes file */
    rv_sonata_cfg_sort_order spikes_sort_order;
    /* Allen */
    const char *spikes_file_csv, *spikes_file_nwb; /* resolved, NULL if absent */
    int overwrite_output_dir;
} rv_sonata_cfg_output;

typedef enum rv_sonata_cfg_spike_location {
    RV_SONATA_CFG_SPIKE_SOMA = 0, /* default */
    RV_SONATA_CFG_SPIKE_AIS
} rv_sonata_cfg_spike_location;

typedef enum rv_sonata_cfg_modification_type {
    RV_SONATA_CFG_MOD_TTX = 0,                /* "ttx" or "TTX" */
    RV_SONATA_CFG_MOD_CONFIGURE_ALL_SECTIONS, /* "configure_all_sections" / "ConfigureAllSections"
                                               */
    RV_SONATA_CFG_MOD_SECTION_LIST,           /* "section_list" */
    RV_SONATA_CFG_MOD_SECTION,                /* "section" */
    RV_SONATA_CFG_MOD_COMPARTMENT_SET         /* "compartment_set" */
} rv_sonata_cfg_modification_type;

typedef struct rv_sonata_cfg_modification {
    const char *name;
    rv_sonata_cfg_modification_type type;
    const char *node_set;          /* NULL for compartment_set (ignored there) */
    const char *section_configure; /* NULL for ttx */
    const char *compartment_set;   /* compartment_set only */
} rv_sonata_cfg_modification;

typedef struct rv_sonata_cfg_mechanism {
    const char *suffix;        /* mechanism SUFFIX, e.g. "ProbAMPANMDA_EMS" */
    rv_sonata_cfg_params vars; /* variable -> bool/int/double/string */
} rv_sonata_cfg_mechanism;

typedef struct rv_sonata_cfg_conditions {
    double celsius; /* 34 */
    double v_init;  /* -80 */
    rv_sonata_cfg_spike_location spike_location;
    int has_extracellular_calcium;
    double extracellular_calcium;
    int randomize_gaba_rise_time; /* 0 */
    size_t n_mechanisms;
    const rv_sonata_cfg_mechanism *mechanisms;
    size_t n_modifications; /* in file order */
    const rv_sonata_cfg_modification *modifications;
} rv_sonata_cfg_conditions;

/* ---- inputs ------------------------------------------------------------- */
typedef enum rv_sonata_cfg_module {
    RV_SONATA_CFG_MODULE_LINEAR = 0,
    RV_SONATA_CFG_MODULE_RELATIVE_LINEAR,
    RV_SONATA_CFG_MODULE_PULSE,
    RV_SONATA_CFG_MODULE_SINUSOIDAL,
    RV_SONATA_CFG_MODULE_SUBTHRESHOLD,
    RV_SONATA_CFG_MODULE_HYPERPOLARIZING,
    RV_SONATA_CFG_MODULE_SYNAPSE_REPLAY,
    RV_SONATA_CFG_MODULE_SECLAMP,
    RV_SONATA_CFG_MODULE_NOISE,
    RV_SONATA_CFG_MODULE_SHOT_NOISE,
    RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE,
    RV_SONATA_CFG_MODULE_ABSOLUTE_SHOT_NOISE,
    RV_SONATA_CFG_MODULE_ORNSTEIN_UHLENBECK,
    RV_SONATA_CFG_MODULE_RELATIVE_ORNSTEIN_UHLENBECK,
    RV_SONATA_CFG_MODULE_SPATIALLY_UNIFORM_E_FIELD,
    RV_SONATA_CFG_MODULE_POISSON,
    /* Allen */
    RV_SONATA_CFG_MODULE_SPIKE_FILE, /* module h5, hdf5, sonata, csv, nwb: input_file */
    RV_SONATA_CFG_MODULE_ICLAMP,     /* module IClamp: amp, delay, duration (scalars or lists) */
    RV_SONATA_CFG_MODULE_OTHER,      /* another BMTK module (SEClamp, xstim, ...): see params */
    RV_SONATA_CFG_MODULE_COUNT
} rv_sonata_cfg_module;

typedef enum rv_sonata_cfg_input_type {
    RV_SONATA_CFG_INPUT_SPIKES = 0,
    RV_SONATA_CFG_INPUT_EXTRACELLULAR_STIMULATION,
    RV_SONATA_CFG_INPUT_CURRENT_CLAMP,
    RV_SONATA_CFG_INPUT_VOLTAGE_CLAMP,
    RV_SONATA_CFG_INPUT_CONDUCTANCE,
    RV_SONATA_CFG_INPUT_OTHER /* Allen flavour, module OTHER: see input_type_name */
} rv_sonata_cfg_input_type;

typedef struct rv_sonata_cfg_efield {
    double ex, ey, ez;
    double frequency, phase; /* 0 when absent */
} rv_sonata_cfg_efield;

/* One input.  Fields are those of libsonata's Input* structs, flattened;
 * each is meaningful for the modules named in its comment and zero (NULL)
 * otherwise.  `params` keeps every key as written (after manifest
 * expansion), so nothing of an unusual input is lost. */
typedef struct rv_sonata_cfg_input {
    const char *name;
    rv_sonata_cfg_module module;
    const char *module_name;
    rv_sonata_cfg_input_type input_type;
    const char *input_type_name;
    double delay, duration;
    const char *node_set; /* exactly one of node_set and compartment_set (Blue Brain) */
    const char *compartment_set;
    int represents_physical_electrode; /* current sources; default 0 */
    double amp_start, amp_end;         /* linear, pulse (amp_end = amp_start), sinusoidal */
    double percent_start, percent_end; /* relative_linear */
    double width;                      /* pulse */
    double frequency;                  /* pulse, sinusoidal */
    double dt;                         /* sinusoidal 0.025; noises, OU 0.25 */
    double percent_less;               /* subthreshold */
    int has_mean;                      /* noise: mean or mean_percent */
    double mean;                       /* noise, absolute_shot_noise, ornstein_uhlenbeck */
    int has_mean_percent;
    double mean_percent;          /* noise, relative_shot_noise, relative_OU */
    double variance;              /* noise */
    double rise_time, decay_time; /* shot noises */
    double rate;                  /* shot_noise, poisson */
    double amp_mean, amp_var;     /* shot_noise */
    double sd_percent;            /* relative_shot_noise, relative_OU */
    double sigma;                 /* absolute_shot_noise, ornstein_uhlenbeck */
    double relative_skew;         /* relative/absolute_shot_noise, 0.5 */
    double reversal;              /* shot noises, OU; 0 */
    double tau;                   /* OU */
    int has_random_seed;
    long long random_seed;             /* shot noises, OU */
    const char *spike_file;            /* synapse_replay (absolute, .h5) */
    const char *source;                /* synapse_replay, optional node set */
    double voltage, series_resistance; /* seclamp (series_resistance 0.01) */
    size_t n_levels;                   /* seclamp */
    const double *duration_levels, *voltage_levels;
    double ramp_up_time, ramp_down_time; /* spatially_uniform_e_field */
    size_t n_fields;
    const rv_sonata_cfg_efield *fields;
    double weight;          /* poisson */
    const char *input_file; /* Allen spike file (absolute) */
    size_t n_pulses;        /* Allen IClamp */
    const double *amps, *delays, *durations;
    int enabled; /* Allen "enabled"; 1 */
    rv_sonata_cfg_params params;
} rv_sonata_cfg_input;

/* ---- reports ------------------------------------------------------------ */
typedef enum rv_sonata_cfg_report_type {
    RV_SONATA_CFG_REPORT_COMPARTMENT = 0,
    RV_SONATA_CFG_REPORT_SUMMATION,
    RV_SONATA_CFG_REPORT_SYNAPSE,
    RV_SONATA_CFG_REPORT_LFP,
    RV_SONATA_CFG_REPORT_COMPARTMENT_SET,
    RV_SONATA_CFG_REPORT_OTHER /* Allen report without "type": see module */
} rv_sonata_cfg_report_type;

typedef enum rv_sonata_cfg_sections {
    RV_SONATA_CFG_SECTIONS_NONE = 0, /* compartment_set reports */
    RV_SONATA_CFG_SECTIONS_SOMA,
    RV_SONATA_CFG_SECTIONS_AXON,
    RV_SONATA_CFG_SECTIONS_DEND,
    RV_SONATA_CFG_SECTIONS_APIC,
    RV_SONATA_CFG_SECTIONS_ALL
} rv_sonata_cfg_sections;

typedef enum rv_sonata_cfg_compartments {
    RV_SONATA_CFG_COMPARTMENTS_NONE = 0, /* compartment_set reports */
    RV_SONATA_CFG_COMPARTMENTS_CENTER,
    RV_SONATA_CFG_COMPARTMENTS_ALL
} rv_sonata_cfg_compartments;

typedef enum rv_sonata_cfg_scaling {
    RV_SONATA_CFG_SCALING_AREA = 0, /* default */
    RV_SONATA_CFG_SCALING_NONE
} rv_sonata_cfg_scaling;

typedef struct rv_sonata_cfg_report {
    const char *name;
    const char *cells; /* node set; default: the simulation's node_set (NULL if none) */
    rv_sonata_cfg_report_type type;
    rv_sonata_cfg_sections sections;         /* default soma */
    rv_sonata_cfg_compartments compartments; /* default center for soma, else all */
    rv_sonata_cfg_scaling scaling;
    const char *compartment_set; /* compartment_set reports only */
    const char *variable_name;   /* as written */
    size_t n_variables;          /* variable_name split at commas, blanks trimmed */
    const char *const *variables;
    const char *unit; /* "mV" */
    double dt, start_time, end_time;
    const char *file_name; /* absolute, in output_dir, ".h5" appended if missing */
    int enabled;           /* 1 */
    const char *module;    /* Allen "module" (membrane_report, ...), else NULL */
    rv_sonata_cfg_params params;
} rv_sonata_cfg_report;

/* ---- connection overrides ----------------------------------------------- */
typedef struct rv_sonata_cfg_connection_override {
    const char *name, *source, *target;
    double weight; /* 1 */
    int has_spont_minis;
    double spont_minis;
    const char *synapse_configure; /* NULL if absent */
    const char *modoverride;       /* NULL if absent */
    int has_synapse_delay_override;
    double synapse_delay_override;
    double delay; /* 0 */
    int has_neuromodulation_dtc;
    double neuromodulation_dtc;
    int has_neuromodulation_strength;
    double neuromodulation_strength;
} rv_sonata_cfg_connection_override;

typedef struct rv_sonata_simulation_config {
    const char *path, *dir;
    rv_sonata_cfg_flavour flavour;
    rv_sonata_cfg_value version;
    const char *network; /* circuit config: default "circuit_config.json" beside (Blue
                            Brain); NULL when none */
    rv_sonata_cfg_simulator target_simulator; /* own, else the circuit's, else UNSPECIFIED */
    const char *node_sets_file;               /* own, else the circuit's, else NULL */
    const char *compartment_sets_file;        /* NULL if none */
    const char *node_set;                     /* NULL: all non-virtual nodes */
    rv_sonata_cfg_run run;
    rv_sonata_cfg_output output;
    rv_sonata_cfg_conditions conditions;
    size_t n_inputs; /* in file order */
    const rv_sonata_cfg_input *inputs;
    size_t n_reports; /* in file order */
    const rv_sonata_cfg_report *reports;
    size_t n_connection_overrides; /* in file order: later ones override earlier ones */
    const rv_sonata_cfg_connection_override *connection_overrides;
    rv_sonata_cfg_params metadata, beta_features;
    const char *node_sets_json; /* BMTK inline "node_sets" (compact JSON), NULL if none */
    const char *expanded_json;
} rv_sonata_simulation_config;

/* ---- the loaded configuration ------------------------------------------- */
typedef struct rv_sonata_config {
    const char *path;                              /* the file given to load (absolute) */
    rv_sonata_cfg_kind kind;                       /* what that file was */
    rv_sonata_cfg_flavour flavour;                 /* BBP or ALLEN, never AUTO */
    const char *flavour_reason;                    /* why (e.g. "run.dL"), "" if default */
    const rv_sonata_circuit_config *circuit;       /* NULL if none */
    const rv_sonata_simulation_config *simulation; /* NULL for a circuit config */
    size_t n_warnings; /* things accepted but ignored, "file: key: text" */
    const char *const *warnings;
    struct rv_sonata_cfg_arena *arena_; /* private */
} rv_sonata_config;

/* Every problem found by a load, in the order found. */
typedef struct rv_sonata_config_problems rv_sonata_config_problems;

/* Load the configuration in `path` (and the files it names).  opts may be
 * NULL (AUTO everything).  On success *out is the config (free it with
 * rv_sonata_config_destroy); on failure *out is NULL, err holds the first
 * problem and the status is its code.  If `problems` is non-NULL it receives
 * the list of every problem (empty on success; free it with
 * rv_sonata_config_problems_destroy) -- unless the status is RV_ENOMEM,
 * which leaves *problems NULL. */
rv_status rv_sonata_config_load(const char *path, const rv_sonata_cfg_options *opts,
                                rv_sonata_config **out, rv_sonata_config_problems **problems,
                                rv_error *err);
/* The same from JSON text; `name` is used as the file name in messages and
 * relative paths resolve against `dir` (NULL: the working directory). */
rv_status rv_sonata_config_parse(const char *json_text, const char *name, const char *dir,
                                 const rv_sonata_cfg_options *opts, rv_sonata_config **out,
                                 rv_sonata_config_problems **problems, rv_error *err);
void rv_sonata_config_destroy(rv_sonata_config *cfg); /* accepts NULL */

size_t rv_sonata_config_problems_count(const rv_sonata_config_problems *p);
/* The i-th problem (path, line, col, key, msg, code); NULL if out of range. */
const rv_error *rv_sonata_config_problems_get(const rv_sonata_config_problems *p, size_t i);
void rv_sonata_config_problems_destroy(rv_sonata_config_problems *p); /* accepts NULL */

/* ---- look-ups (NULL when absent) ---------------------------------------- */
const rv_sonata_cfg_population *rv_sonata_config_node_population(const rv_sonata_circuit_config *c,
                                                                 const char *name);
const rv_sonata_cfg_population *rv_sonata_config_edge_population(const rv_sonata_circuit_config *c,
                                                                 const char *name);
/* Folder of the alternate morphology format ("neurolucida-asc", "h5v1"). */
const char *rv_sonata_config_alternate_morphology(const rv_sonata_cfg_population *p,
                                                  const char *format);
const rv_sonata_cfg_input *rv_sonata_config_input(const rv_sonata_simulation_config *s,
                                                  const char *name);
const rv_sonata_cfg_report *rv_sonata_config_report(const rv_sonata_simulation_config *s,
                                                    const char *name);
const rv_sonata_cfg_value *rv_sonata_config_param(const rv_sonata_cfg_params *p, const char *name);

/* ---- key positions -------------------------------------------------------
 * Where each value of a JSON file sits, by the key paths used in messages
 * ("inputs.stim1.delay", "a.b[3]"), for tools that report their own problems
 * about a config file the loader accepted (ranvier inspect).  The file is
 * read and parsed again; invalid JSON is an error naming its line. */
typedef struct rv_sonata_json_positions rv_sonata_json_positions;
rv_status rv_sonata_json_positions_load(const char *path, rv_sonata_json_positions **out,
                                        rv_error *err);
/* Line and column (1-based) of kp's value, or of its nearest enclosing value
 * when kp is absent; 0, 0 when not even the root is known.  Returns 1 when
 * kp itself was found, 0 otherwise. */
int rv_sonata_json_positions_find(const rv_sonata_json_positions *p, const char *kp, int *line,
                                  int *col);
void rv_sonata_json_positions_destroy(rv_sonata_json_positions *p); /* accepts NULL */

/* ---- enum spellings (the JSON text; "?" for an out-of-range value) ------- */
const char *rv_sonata_config_flavour_name(rv_sonata_cfg_flavour f);
const char *rv_sonata_config_simulator_name(rv_sonata_cfg_simulator s);
const char *rv_sonata_config_integration_name(rv_sonata_cfg_integration m);
const char *rv_sonata_config_sort_order_name(rv_sonata_cfg_sort_order o);
const char *rv_sonata_config_spike_location_name(rv_sonata_cfg_spike_location l);
const char *rv_sonata_config_modification_name(rv_sonata_cfg_modification_type t);
const char *rv_sonata_config_module_name(rv_sonata_cfg_module m);
const char *rv_sonata_config_input_type_name(rv_sonata_cfg_input_type t);
const char *rv_sonata_config_report_type_name(rv_sonata_cfg_report_type t);
const char *rv_sonata_config_sections_name(rv_sonata_cfg_sections s);
const char *rv_sonata_config_compartments_name(rv_sonata_cfg_compartments c);
const char *rv_sonata_config_scaling_name(rv_sonata_cfg_scaling s);

#ifdef __cplusplus
}
#endif
#endif
