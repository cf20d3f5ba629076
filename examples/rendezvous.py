"""Rendezvous check for a multi-node job (Python standard library only).

Rank 0 listens on MASTER_ADDR:MASTER_PORT and exits 0 only when WORLD_SIZE-1 peers
said hello within the timeout; every other rank connects (retrying until rank 0
listens), says hello, waits for the answer and exits 0.
"""
import os
import socket
import sys
import time

addr = os.environ["MASTER_ADDR"]
port = int(os.environ["MASTER_PORT"])
rank = int(os.environ["RANK"])
world = int(os.environ["WORLD_SIZE"])
deadline = time.time() + float(os.environ.get("RENDEZVOUS_TIMEOUT", "60"))

if rank == 0:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0" if addr not in ("127.0.0.1", "localhost") else addr, port))
    server.listen(world)
    peers = set()
    while len(peers) < world - 1:
        left = deadline - time.time()
        if left <= 0:
            print(f"rank 0: only {len(peers)} of {world - 1} peers within the timeout", flush=True)
            sys.exit(1)
        server.settimeout(left)
        try:
            conn, _ = server.accept()
        except socket.timeout:
            continue
        with conn:
            hello = conn.recv(64).decode().strip()
            peers.add(hello)
            conn.sendall(b"welcome\n")
        print(f"rank 0: met {hello}", flush=True)
    print(f"rank 0: all {world - 1} peers met at {addr}:{port}", flush=True)
    sys.exit(0)

while True:
    try:
        with socket.create_connection((addr, port), timeout=5) as conn:
            conn.sendall(f"rank-{rank}\n".encode())
            answer = conn.recv(64).decode().strip()
            print(f"rank {rank}: rank 0 at {addr}:{port} said {answer}", flush=True)
            sys.exit(0 if answer == "welcome" else 1)
    except OSError:
        if time.time() > deadline:
            print(f"rank {rank}: could not reach rank 0 at {addr}:{port}", flush=True)
            sys.exit(1)
        time.sleep(0.2)
