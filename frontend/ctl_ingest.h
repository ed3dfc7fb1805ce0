/* ctl_ingest — `bedrockctl ingest DIR [--batch N]`: loads a local catalog in the
 * Chinook JSONL shapes (compose/data/chinook/SOURCE.md) through the broker, as
 * catalog.ingest requests (the internal-service path). Owner: catalog engineer (C1).
 *
 * Files, in this order (a missing one is skipped): genres.jsonl, media_types.jsonl,
 * artists.jsonl, albums.jsonl, tracks.jsonl, playlists.jsonl — one JSON object per
 * line, blank lines ignored. Items go in batches of N (default CTL_INGEST_BATCH,
 * 1..1000). A line that is not JSON is rejected here; the worker rejects the others
 * with a reason. Every rejected record is printed as "FILE:LINE: id ID rejected:
 * REASON" on stderr.
 *
 * Progress: on a terminal a one-line counter per file (rewritten in place), else one
 * plain line per file. Then a summary line; when nothing changed it says "all
 * unchanged". Running it twice changes nothing (the worker compares each record with
 * what is stored).
 *
 * Exit 0 when every record was accepted, 1 when any was rejected or a batch failed
 * (a failed batch is retried once on 503/504, then the run stops), 2 for usage.
 */
#ifndef BEDROCK_CTL_INGEST_H
#define BEDROCK_CTL_INGEST_H

#include "ctl_client.h"

#define CTL_INGEST_BATCH 200
#define CTL_INGEST_BATCH_MAX 1000
/* One batch may take a while on a cold database (the envelope deadline). */
#define CTL_INGEST_TIMEOUT_MS 60000

/* argv: the arguments after "ingest". Returns the exit code. */
int ctl_ingest_run(ctl_t *ctl, int argc, char **argv);

#endif
