/* ctl_user — the account commands of bedrockctl (issue 4), each one op through the
 * broker, printing the reply like `bedrockctl call`. Owner: library engineer (issue 4).
 *
 *   bedrockctl user promote EMAIL [--role admin|user]
 *       users.promote {email, role}: makes the first admin (or demotes, --role user).
 *       Exit 0 when done, 1 when no live account has that email.
 *   bedrockctl purge [--older-than-days N]
 *       users.purge {older_than_days}: removes every account soft-deleted at least N
 *       days ago (default: the worker's BEDROCK_RETENTION_DAYS) and applies the
 *       inactivity policy (BEDROCK_INACTIVE_DAYS), calling again while the worker says
 *       there is more (each call is bounded by its BEDROCK_PURGE_BUDGET_MS); prints one
 *       reply with the summed counts. Safe to run from a timer.
 *
 * Exit codes as ctl_client.h: 0 success, 1 failure reply or no reply, 2 usage.
 */
#ifndef BEDROCK_CTL_USER_H
#define BEDROCK_CTL_USER_H

#include "ctl_client.h"

/* One users.purge call is bounded by the worker's time budget; a large backlog takes
 * several calls (the reply says more: true), at most this many per run. */
#define CTL_USER_PURGE_TIMEOUT_MS 60000
#define CTL_USER_PURGE_CALLS_MAX 100000
#define CTL_USER_DAYS_MAX 36500

/* argv: the arguments after the command words. Return the exit code. */
int ctl_user_promote(ctl_t *ctl, int argc, char **argv);
int ctl_user_purge(ctl_t *ctl, int argc, char **argv);

#endif
