/**
 * The file parallel.ts starts as its worker thread: the worker (worker.ts) from its bundle,
 * dist/bundle/lint-worker.js, with its code cache, when the build made it from the tsc output
 * there now (code-bundle.ts); else from the modules under dist/src. The bundle spares the worker
 * resolving, reading and compiling ~90 modules (150–320 ms on a loaded machine) before it lints.
 */
import { loadBundle, WORKER_BUNDLE } from './code-bundle';

// Running the bundle runs the worker; it is the modules' turn only when there is no usable bundle.
if (!loadBundle(WORKER_BUNDLE)) require('./worker');
