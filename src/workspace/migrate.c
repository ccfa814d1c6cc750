/* Database schema, as forward migrations.  Element i brings a workspace
 * from user_version i to i+1; never edit an element once released, only
 * append.  The schema is documented in man/prodml.1 (WORKSPACE). */
#include "workspace.h"

const char *const ws_migrations[] = {
	/* 1: datasets, the load cache, statistics, schemas, the audit log */
	"CREATE TABLE datasets ("
	"  name TEXT PRIMARY KEY,"
	"  artifact TEXT NOT NULL,"
	"  fingerprint TEXT NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  cols INTEGER NOT NULL,"
	"  source TEXT,"
	"  created TEXT NOT NULL);"
	"CREATE TABLE load_cache ("
	"  key TEXT PRIMARY KEY,"
	"  artifact TEXT NOT NULL,"
	"  created TEXT NOT NULL);"
	"CREATE TABLE stats ("
	"  fingerprint TEXT NOT NULL,"
	"  slice TEXT NOT NULL DEFAULT '',"
	"  json TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  PRIMARY KEY (fingerprint, slice));"
	"CREATE TABLE schemas ("
	"  name TEXT PRIMARY KEY,"
	"  text TEXT NOT NULL,"
	"  source TEXT,"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time TEXT NOT NULL,"
	"  user TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  subject TEXT,"
	"  detail TEXT);",
	/* 2: training runs and their epochs, jobs, the model registry */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  model TEXT NOT NULL,"
	"  state TEXT NOT NULL,"            /* queued running done failed cancelled */
	"  config TEXT NOT NULL,"           /* JSON: the train options */
	"  data TEXT NOT NULL,"
	"  data_fingerprint TEXT NOT NULL,"
	"  eval TEXT,"
	"  eval_fingerprint TEXT,"
	"  epochs_done INTEGER NOT NULL DEFAULT 0,"
	"  metrics TEXT,"                   /* JSON: final metrics */
	"  result TEXT,"                    /* JSON: what train printed */
	"  version INTEGER,"                /* the registered version */
	"  message TEXT,"                   /* why it failed or stopped */
	"  pid INTEGER,"
	"  host TEXT,"
	"  user TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  started TEXT,"
	"  finished TEXT,"
	"  updated TEXT);"
	"CREATE TABLE run_epochs ("
	"  run INTEGER NOT NULL REFERENCES runs(id),"
	"  epoch INTEGER NOT NULL,"
	"  train_loss REAL,"
	"  eval_loss REAL,"
	"  metric TEXT,"
	"  value REAL,"
	"  metrics TEXT,"                   /* JSON: all eval metrics */
	"  lr REAL,"
	"  rows INTEGER,"
	"  seconds REAL,"
	"  rows_per_s REAL,"
	"  input_wait_s REAL,"
	"  compute_s REAL,"
	"  best INTEGER NOT NULL DEFAULT 0,"
	"  time TEXT NOT NULL,"
	"  PRIMARY KEY (run, epoch));"
	"CREATE TABLE jobs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind TEXT NOT NULL,"
	"  state TEXT NOT NULL,"            /* queued running done failed cancelled */
	"  command TEXT NOT NULL,"
	"  run INTEGER REFERENCES runs(id),"
	"  pid INTEGER,"
	"  host TEXT,"
	"  progress REAL NOT NULL DEFAULT 0,"
	"  message TEXT,"
	"  result TEXT,"                    /* JSON */
	"  error TEXT,"
	"  cancel INTEGER NOT NULL DEFAULT 0,"
	"  log TEXT,"
	"  user TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  started TEXT,"
	"  finished TEXT,"
	"  updated TEXT);"
	"CREATE TABLE models ("
	"  name TEXT PRIMARY KEY,"
	"  description TEXT,"
	"  policy TEXT,"                    /* JSON: promotion policy */
	"  user TEXT NOT NULL,"
	"  created TEXT NOT NULL);"
	"CREATE TABLE versions ("
	"  model TEXT NOT NULL REFERENCES models(name),"
	"  version INTEGER NOT NULL,"
	"  artifact TEXT NOT NULL,"         /* sha256 of the model file */
	"  size INTEGER NOT NULL,"
	"  run INTEGER REFERENCES runs(id),"
	"  parent INTEGER,"
	"  type TEXT NOT NULL,"
	"  task TEXT NOT NULL,"
	"  label TEXT,"
	"  train_dataset TEXT,"
	"  train_fingerprint TEXT,"
	"  eval_dataset TEXT,"
	"  eval_fingerprint TEXT,"
	"  schema TEXT,"                    /* JSON: serving inputs and label */
	"  params TEXT NOT NULL DEFAULT '{}',"   /* JSON: hyperparameters */
	"  metrics TEXT NOT NULL DEFAULT '{}',"  /* JSON */
	"  slice_metrics TEXT,"             /* JSON */
	"  description TEXT,"
	"  tags TEXT,"                      /* JSON */
	"  user TEXT NOT NULL,"
	"  host TEXT,"
	"  prodml_version TEXT,"
	"  created TEXT NOT NULL,"
	"  PRIMARY KEY (model, version));"
	"CREATE TABLE aliases ("
	"  model TEXT NOT NULL REFERENCES models(name),"
	"  alias TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  user TEXT NOT NULL,"
	"  updated TEXT NOT NULL,"
	"  PRIMARY KEY (model, alias));",
	/* 3: prediction servers and their request log (src/serve) */
	"CREATE TABLE servers ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  pid INTEGER NOT NULL,"
	"  proc_start INTEGER,"             /* process start (ticks since boot): tells pid reuse */
	"  host TEXT,"                      /* the machine */
	"  bind TEXT NOT NULL,"             /* the address listened on */
	"  port INTEGER NOT NULL,"
	"  url TEXT NOT NULL,"
	"  model TEXT NOT NULL,"
	"  ref TEXT NOT NULL,"              /* as asked: M, M:V or M@ALIAS */
	"  version INTEGER,"                /* served now (by the first route) */
	"  versions TEXT,"                  /* JSON: [{route, version, weight}] */
	"  split TEXT,"
	"  lookup TEXT,"                    /* key column of the lookup table */
	"  lookup_entries INTEGER,"
	"  lookup_bytes INTEGER,"
	"  lookup_hits INTEGER,"
	"  lookup_misses INTEGER,"
	"  detached INTEGER NOT NULL DEFAULT 0,"
	"  log TEXT,"                       /* output file of a detached server */
	"  status TEXT NOT NULL,"           /* running stopped dead failed */
	"  message TEXT,"
	"  requests INTEGER NOT NULL DEFAULT 0,"
	"  errors INTEGER NOT NULL DEFAULT 0,"
	"  rows INTEGER NOT NULL DEFAULT 0,"
	"  rps REAL,"                       /* requests/s over the last second */
	"  p50_us REAL,"                    /* latency of the recent requests */
	"  p99_us REAL,"
	"  user TEXT NOT NULL,"
	"  started TEXT NOT NULL,"
	"  updated TEXT,"
	"  stopped TEXT);"
	"CREATE TABLE requests ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time TEXT NOT NULL,"             /* ISO UTC with microseconds */
	"  time_us INTEGER NOT NULL,"       /* microseconds since 1970 */
	"  server INTEGER REFERENCES servers(id),"
	"  model TEXT NOT NULL,"
	"  version INTEGER,"
	"  api TEXT,"                       /* tfserving mlflow */
	"  status INTEGER NOT NULL,"        /* HTTP status */
	"  latency_us INTEGER NOT NULL,"
	"  rows INTEGER NOT NULL DEFAULT 0,"
	"  lookup_hits INTEGER NOT NULL DEFAULT 0,"
	"  features TEXT,"                  /* JSON: [{input: value, ..}] per row */
	"  prediction TEXT,"                /* JSON: [prediction] per row */
	"  error TEXT);"
	"CREATE INDEX requests_model_time ON requests (model, time_us);",
	/* 4: the registry's alias history and promotion policies (src/registry) */
	"CREATE TABLE alias_events ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  model TEXT NOT NULL,"
	"  alias TEXT NOT NULL,"
	"  action TEXT NOT NULL,"           /* alias promote rollback delete */
	"  from_version INTEGER,"           /* NULL: the alias was new */
	"  to_version INTEGER,"             /* NULL: the alias was deleted */
	"  forced INTEGER NOT NULL DEFAULT 0," /* promoted past a failed gate */
	"  reason TEXT,"
	"  detail TEXT,"                    /* JSON: the gate's findings */
	"  user TEXT NOT NULL,"
	"  time TEXT NOT NULL);"
	"CREATE INDEX alias_events_model ON alias_events (model, alias, id);"
	"CREATE TABLE model_policies ("
	"  model TEXT NOT NULL,"
	"  key TEXT NOT NULL,"              /* min_improvement, floor M, slice_floor C=V M */
	"  value REAL NOT NULL,"
	"  user TEXT NOT NULL,"
	"  updated TEXT NOT NULL,"
	"  PRIMARY KEY (model, key));",
	/* 5: monitoring rollups and alerts (src/monitor) */
	"CREATE TABLE rollups ("
	"  model TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"        /* 0: unknown */
	"  minute_us INTEGER NOT NULL,"      /* start of the minute, microseconds since 1970 */
	"  requests INTEGER NOT NULL,"
	"  errors INTEGER NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  latency_sum_us INTEGER NOT NULL,"
	"  latency_max_us INTEGER NOT NULL,"
	"  PRIMARY KEY (model, version, minute_us));"
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time TEXT NOT NULL,"
	"  model TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"              /* skew drift error_rate latency quality */
	"  feature TEXT,"
	"  value REAL,"
	"  threshold REAL,"
	"  status TEXT NOT NULL,"            /* open acked */
	"  acked TEXT);",
	/* 6: monitoring feedback (ground truth), per-window alerts, fuller rollups (src/monitor) */
	"CREATE TABLE feedback ("
	"  model TEXT NOT NULL,"
	"  request INTEGER NOT NULL,"       /* requests.id (the request may since be compacted) */
	"  row INTEGER NOT NULL,"           /* row of that request */
	"  time_us INTEGER NOT NULL,"       /* when the request was logged */
	"  version INTEGER NOT NULL,"       /* 0: unknown */
	"  key TEXT NOT NULL,"              /* the join key as text */
	"  label REAL,"                     /* numeric label (regression) */
	"  label_text TEXT NOT NULL,"       /* the label as text (class name) */
	"  prediction TEXT,"                /* JSON: the logged prediction of the row */
	"  dataset TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  PRIMARY KEY (model, request, row));"
	"CREATE INDEX feedback_model_time ON feedback (model, time_us);"
	"ALTER TABLE alerts ADD COLUMN window_us INTEGER;"   /* start of the window, or NULL */
	"ALTER TABLE alerts ADD COLUMN version INTEGER;"
	"ALTER TABLE rollups ADD COLUMN statuses TEXT;"      /* JSON [[status, count], ..] */
	"ALTER TABLE rollups ADD COLUMN latency_hist TEXT;"  /* JSON [[us, count], ..], 3 significant digits */
	"ALTER TABLE rollups ADD COLUMN batches TEXT;"       /* JSON [[rows, count], ..] */
	"ALTER TABLE rollups ADD COLUMN predictions TEXT;",  /* JSON {"values":[[v, c]..],"classes":[[k, c]..]} */
	/* 7: the request log's spool: how far each spool file has been moved into requests (src/serve) */
	"CREATE TABLE spool_progress ("
	"  dir TEXT NOT NULL,"              /* the server's spool directory, under spool/ */
	"  segment INTEGER NOT NULL,"       /* its file NNNNNNNN.spool */
	"  offset INTEGER NOT NULL,"        /* bytes moved (the records before it are in requests) */
	"  PRIMARY KEY (dir, segment));",
	/* 8: pipelines, their runs and step executions, lineage, triggers (src/pipeline) */
	"CREATE TABLE pipelines ("
	"  name TEXT PRIMARY KEY,"
	"  text TEXT NOT NULL,"             /* the definition file's text */
	"  file TEXT,"                      /* where it was loaded from */
	"  user TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL);"
	"CREATE TABLE pipeline_runs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  pipeline TEXT NOT NULL,"
	"  state TEXT NOT NULL,"            /* queued running done failed */
	"  text TEXT NOT NULL,"             /* the definition it runs (resume uses it) */
	"  params TEXT NOT NULL,"           /* JSON: {name: value} */
	"  jobs INTEGER NOT NULL DEFAULT 1,"
	"  retries INTEGER NOT NULL DEFAULT 0,"
	"  no_cache INTEGER NOT NULL DEFAULT 0,"
	"  job INTEGER REFERENCES jobs(id),"  /* the job of a detached run */
	"  pid INTEGER,"
	"  proc_start INTEGER,"             /* process start (ticks since boot): tells pid reuse */
	"  host TEXT,"
	"  failed_step TEXT,"
	"  message TEXT,"
	"  seconds REAL,"                   /* time spent running (all resumes together) */
	"  user TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  started TEXT,"
	"  finished TEXT);"
	"CREATE INDEX pipeline_runs_pipeline ON pipeline_runs (pipeline, id);"
	"CREATE TABLE executions ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  run INTEGER NOT NULL REFERENCES pipeline_runs(id),"
	"  step TEXT NOT NULL,"
	"  state TEXT NOT NULL,"            /* waiting running cached done failed skipped */
	"  command TEXT,"                   /* after parameter substitution */
	"  cache_key TEXT,"                 /* sha256 of command, version, input fingerprints */
	"  cached_from INTEGER,"            /* the execution whose outputs a cached step reuses */
	"  inputs TEXT,"                    /* JSON: [{kind, name, fingerprint}] */
	"  outputs TEXT,"                   /* JSON: [{kind, name, fingerprint}] */
	"  result TEXT,"                    /* JSON: what the command printed */
	"  log TEXT,"                       /* its output and messages */
	"  exit_status INTEGER,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  message TEXT,"                   /* why it failed or was skipped */
	"  pid INTEGER,"
	"  proc_start INTEGER,"
	"  started TEXT,"
	"  finished TEXT,"
	"  seconds REAL,"
	"  UNIQUE (run, step));"
	"CREATE INDEX executions_cache ON executions (cache_key, state);"
	"CREATE TABLE lineage_artifacts ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind TEXT NOT NULL,"             /* dataset model schema file */
	"  name TEXT NOT NULL,"             /* dataset name, M:V, schema name, path */
	"  fingerprint TEXT NOT NULL,"      /* content fingerprint, model artifact, sha256 */
	"  created TEXT NOT NULL,"
	"  UNIQUE (kind, name, fingerprint));"
	"CREATE TABLE lineage_events ("
	"  execution INTEGER NOT NULL REFERENCES executions(id),"
	"  artifact INTEGER NOT NULL REFERENCES lineage_artifacts(id),"
	"  type TEXT NOT NULL,"             /* input output */
	"  PRIMARY KEY (execution, artifact, type));"
	"CREATE INDEX lineage_events_artifact ON lineage_events (artifact, type);"
	"CREATE TABLE pipeline_triggers ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  pipeline TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"             /* every file alert */
	"  every_us INTEGER,"               /* every: the period */
	"  glob TEXT,"                      /* file: the pattern */
	"  param TEXT,"                     /* file: the parameter that gets the file's path */
	"  alert_kind TEXT,"                /* alert: drift skew quality .. */
	"  model TEXT,"                     /* alert: the monitored model */
	"  params TEXT NOT NULL,"           /* JSON: [\"k=v\", ..] for its runs */
	"  last_fired_us INTEGER,"
	"  last_alert INTEGER NOT NULL DEFAULT 0," /* alerts.id already answered */
	"  runs INTEGER NOT NULL DEFAULT 0,"
	"  user TEXT NOT NULL,"
	"  created TEXT NOT NULL);"
	"CREATE TABLE pipeline_trigger_files ("
	"  trigger INTEGER NOT NULL REFERENCES pipeline_triggers(id) ON DELETE CASCADE,"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"           /* a file that changes is a new file */
	"  run INTEGER,"
	"  seen TEXT NOT NULL,"
	"  PRIMARY KEY (trigger, path, sha256));",
	/* 9: each version keeps its training data's statistics for monitoring (src/registry) */
	"ALTER TABLE versions ADD COLUMN baseline TEXT;",  /* JSON: baseline_to_json, or NULL */
	/* 10: architecture designs and the measurements their probes made (src/design) */
	"CREATE TABLE designs ("
	"  name TEXT PRIMARY KEY,"
	"  model TEXT NOT NULL,"
	"  data TEXT NOT NULL,"
	"  json TEXT NOT NULL,"             /* the design (src/design/design.h) */
	"  user TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL);"
	"CREATE TABLE design_probes ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  design TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"             /* predict train */
	"  version INTEGER,"                /* the model version measured */
	"  rows INTEGER NOT NULL,"
	"  seconds REAL NOT NULL,"
	"  threads INTEGER NOT NULL,"
	"  time TEXT NOT NULL);",
	/* 11: what else a probe measured: a load probe's latencies (src/design) */
	"ALTER TABLE design_probes ADD COLUMN detail TEXT;",  /* JSON object, or NULL */
	/* 12: teaching labs a workspace has worked through, and their steps done (src/lab) */
	"CREATE TABLE labs ("
	"  name TEXT PRIMARY KEY,"
	"  path TEXT NOT NULL,"             /* the lab file it was read from */
	"  steps INTEGER NOT NULL,"         /* how many the lab had then */
	"  active INTEGER NOT NULL DEFAULT 0," /* 1: the lab `lab start` started (one at a time) */
	"  started TEXT NOT NULL);"
	"CREATE TABLE lab_steps ("
	"  lab TEXT NOT NULL,"
	"  step INTEGER NOT NULL,"          /* 1-based */
	"  title TEXT NOT NULL,"
	"  how TEXT NOT NULL,"              /* run (lab run), guided (lab start) */
	"  command TEXT NOT NULL,"          /* the command whose checks passed */
	"  time TEXT NOT NULL,"
	"  PRIMARY KEY (lab, step));",
};

const int ws_nmigrations = (int)(sizeof ws_migrations / sizeof ws_migrations[0]);
