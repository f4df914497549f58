# Berth's destination check, behind tinyproxy (its Upstream) in each session's egress proxy.
# tinyproxy decides which names and ports a session may ask for; it cannot see the addresses
# those names resolve to. This resolves each name once, refuses it when any address is not
# public (loopback, private, link-local such as 169.254.169.254, shared, reserved), and then
# connects to the very address it checked, so a name that resolves differently a moment later
# (DNS rebinding) changes nothing. BERTH_EGRESS_PRIVATE=1 lets non-public addresses through,
# for operators whose allowed hosts are on their own networks.
import ipaddress
import os
import select
import socket
import threading

PORT = int(os.environ.get("BERTH_EGRESS_CHECK_PORT", "8889"))
ALLOW_PRIVATE = os.environ.get("BERTH_EGRESS_PRIVATE") == "1"
MAX_HEAD = 16 * 1024


def answer(client, status, reason):
    body = f"Berth egress: {reason}\n".encode()
    client.sendall(f"HTTP/1.0 {status}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)


def read_head(client):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = client.recv(4096)
        if not chunk or len(head) > MAX_HEAD:
            return None, b""
        head += chunk
    end = head.index(b"\r\n\r\n") + 4
    return head[:end], head[end:]


def target_of(request_line):
    method, target, version = request_line.split(" ", 2)
    if method == "CONNECT":
        host, _, port = target.rpartition(":")
        return method, host.strip("[]"), int(port), None, version
    if not target.startswith("http://"):
        raise ValueError("only absolute http:// targets")
    authority, slash, path = target[len("http://"):].partition("/")
    host, colon, port = authority.rpartition(":")
    if not colon or "]" in port:
        host, port = authority, "80"
    return method, host.strip("[]"), int(port), slash + path, version


def checked_address(host, port):
    addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not addresses:
        raise LookupError(f"{host} does not resolve")
    if not ALLOW_PRIVATE:
        for family, _, _, _, address in addresses:
            if not ipaddress.ip_address(address[0]).is_global:
                raise PermissionError(f"{host} resolves to {address[0]}, which is not a public address")
    family, _, _, _, address = addresses[0]
    return family, address


def relay(a, b):
    sockets = [a, b]
    while sockets:
        readable, _, _ = select.select(sockets, [], [], 600)
        if not readable:
            return
        for source in readable:
            data = source.recv(65536)
            sink = b if source is a else a
            if data:
                sink.sendall(data)
            else:
                sockets.remove(source)
                try:
                    sink.shutdown(socket.SHUT_WR)
                except OSError:
                    pass


def serve(client):
    upstream = None
    try:
        head, rest = read_head(client)
        if head is None:
            return
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, host, port, path, version = target_of(lines[0])
        except ValueError:
            answer(client, "400 Bad Request", "malformed request")
            return
        try:
            family, address = checked_address(host, port)
        except PermissionError as refused:
            answer(client, "403 Forbidden", str(refused))
            return
        except (LookupError, OSError):
            answer(client, "502 Bad Gateway", f"{host} does not resolve")
            return
        try:
            upstream = socket.socket(family, socket.SOCK_STREAM)
            upstream.settimeout(30)
            upstream.connect(address)
            upstream.settimeout(None)
        except OSError:
            answer(client, "502 Bad Gateway", f"{host}:{port} does not answer")
            return
        if method == "CONNECT":
            client.sendall(b"HTTP/1.0 200 Connection established\r\n\r\n")
        else:
            upstream.sendall("\r\n".join([f"{method} {path} {version}"] + lines[1:]).encode("latin-1"))
        if rest:
            upstream.sendall(rest)
        relay(client, upstream)
    except OSError:
        pass
    finally:
        for s in (client, upstream):
            if s is not None:
                s.close()


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", PORT))
    listener.listen(64)
    open("/tmp/egress-check.ready", "w").close()
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()


main()
