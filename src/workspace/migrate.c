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
};

const int ws_nmigrations = (int)(sizeof ws_migrations / sizeof ws_migrations[0]);
