/**
 * The text `--help` prints, made of the general flags here and each flag
 * group's own lines. `docs/flags.md` has every flag in full; a test keeps the
 * two in step.
 *
 * @module
 */
import { SECURITY_USAGE } from "./security_flags.ts";
import { DEFLATE_USAGE } from "./deflate_flags.ts";
import { PROGRAM_USAGE } from "./program_flags.ts";
import { HISTORY_USAGE } from "./history_flags.ts";

/** The usage text printed by `-h` and after a bad flag. */
export const USAGE = `Usage: deno task start [options] [--program CMD [ARGS…]]
       deno run --allow-net --allow-read --allow-env [--allow-run] main.ts [options]

Options:
  -p, --port N              port to listen on (default 9998, or $PORT)
  -H, --host ADDR           interface to listen on (default 0.0.0.0, or $DENOSOCKET_HOST)
  -w, --handlers DIR        load handlers from DIR at run time (default: the manifest)
  -d, --static DIR          serve static files from DIR (default: static/)
      --no-static           serve no static files
      --engine NAME         deno | native (default deno)
      --bus BUS             topic bus: local | broadcast | redis://host:port[/db] (default local, or $DENOSOCKET_BUS)
      --max-message-size N  largest message in bytes, e.g. 65536, 64k, 16MiB (default 16MiB)
      --idle-timeout S      seconds of silence before a ping; 0 = off (default 30)
      --send-high-water N   send() returns false above this many buffered bytes (default 1MiB)
      --log-level LEVEL     debug | info | warn | error (default info)
      --log-format FORMAT   text | json: one JSON object a line (default text)
      --no-ops              serve neither /_health nor /_metrics, count nothing
      --ops-token TOKEN     /_health and /_metrics need "Authorization: Bearer
                            TOKEN" (default $DENOSOCKET_OPS_TOKEN, else open)
      --list-handlers       print the handler table and exit
  -h, --help                this text
  -V, --version             print the version${HISTORY_USAGE}${SECURITY_USAGE}${DEFLATE_USAGE}${PROGRAM_USAGE}`;
