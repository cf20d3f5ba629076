"""Ebbtide's scoring server: Azure ML's scoring-script contract, standard library only.

Started by the node agent (dev.ebbtide.agent.serving.ScoringProcess), one process per deployment instance:

    python3 azureml_scoring_server.py --code DIR --scoring-script score.py --port-file FILE
        [--host 127.0.0.1] [--port 0] [--request-timeout-ms 5000] [--max-concurrent-requests 1]

As Azure ML's inference server does: AZUREML_MODEL_DIR (set by the caller) points at the folder holding the model,
the scoring script is imported from the code folder, init() runs once, and each POST /score calls run(raw_data) with
the request body as text. Routes:

    GET  /        liveness: 200 "Healthy" while the process runs
    GET  /ready   readiness: 200 once init() returned, 503 before
    POST /score   run(raw_data): 200 with the answer (JSON-encoded unless run returned str or bytes);
                  500 with the exception's one line when run raises; 408 when run takes longer than
                  --request-timeout-ms; 503 before init() returned

The port it listens on (0 = any free one) is written to --port-file once the socket is bound. If init() raises, the
process prints the exception's one line on stderr (`init() failed: ...`, or `could not import ...` when the script
itself does not load) and exits with status 3.
"""

import argparse
import concurrent.futures
import http.server
import importlib.util
import json
import logging
import os
import sys
import threading
import traceback

READY = threading.Event()
STATE = {"module": None, "pool": None, "timeout": 5.0}


def one_line(exc):
    text = f"{type(exc).__name__}: {exc}".strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line[:1000]


def load_script(code_dir, script):
    path = os.path.join(code_dir, script)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    sys.path.insert(0, os.path.abspath(code_dir))
    name = os.path.splitext(os.path.basename(script))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {script} from {code_dir}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    for fn in ("init", "run"):
        if not callable(getattr(module, fn, None)):
            raise AttributeError(f"{script} defines no {fn}() function")
    return module


def encode(result):
    if isinstance(result, bytes):
        return result, "application/octet-stream"
    if isinstance(result, str):
        return result.encode("utf-8"), "text/plain; charset=utf-8"
    return json.dumps(result).encode("utf-8"), "application/json"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ebbtide-scoring/1"

    def log_message(self, fmt, *args):  # one line per request on stderr, without the client's address
        logging.getLogger("ebbtide.scoring").info("%s %s", self.command, fmt % args)

    def answer(self, status, body, content_type="text/plain; charset=utf-8"):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/":
            self.answer(200, "Healthy")
        elif self.path == "/ready":
            self.answer(200, "Ready") if READY.is_set() else self.answer(503, "init() has not returned yet")
        elif self.path == "/score":
            self.answer(405, "use POST /score")
        else:
            self.answer(404, f"no route {self.path}")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if self.path != "/score":
            self.answer(404, f"no route {self.path}")
            return
        if not READY.is_set():
            self.answer(503, "init() has not returned yet")
            return
        raw = body.decode("utf-8", errors="replace")
        future = STATE["pool"].submit(STATE["module"].run, raw)
        try:
            result = future.result(timeout=STATE["timeout"])
            payload, content_type = encode(result)
        except concurrent.futures.TimeoutError:
            self.answer(408, f"run() took longer than request_timeout_ms ({int(STATE['timeout'] * 1000)} ms)")
            return
        except Exception as exc:  # the scoring script's error: the process keeps serving
            traceback.print_exc(file=sys.stderr)
            self.answer(500, one_line(exc))
            return
        self.answer(200, payload, content_type)


def main(argv=None):
    p = argparse.ArgumentParser(description="Azure ML scoring-script server (Ebbtide)")
    p.add_argument("--code", required=True)
    p.add_argument("--scoring-script", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--request-timeout-ms", type=int, default=5000)
    p.add_argument("--max-concurrent-requests", type=int, default=1)
    args = p.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    STATE["timeout"] = args.request_timeout_ms / 1000.0
    STATE["pool"] = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.max_concurrent_requests))

    server = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    try:
        module = load_script(args.code, args.scoring_script)
    except BaseException as exc:
        traceback.print_exc(file=sys.stderr)
        print(f"could not import {args.scoring_script}: {one_line(exc)}", file=sys.stderr, flush=True)
        os._exit(3)
    try:
        module.init()
    except BaseException as exc:
        traceback.print_exc(file=sys.stderr)
        print(f"init() failed: {one_line(exc)}", file=sys.stderr, flush=True)
        os._exit(3)
    STATE["module"] = module
    READY.set()
    logging.getLogger("ebbtide.scoring").info("init() returned: ready on port %d", server.server_address[1])
    threading.Event().wait()


if __name__ == "__main__":
    main()
