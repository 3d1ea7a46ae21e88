"""Sends Clients/WebVerify real requests and checks its answers (called by .ci/web-verify.sh).

Usage: web-verify-check.py BASE_URL START_EPOCH PHOTO_A PHOTO_B FACE "x1,y1,...,x5,y5"
"""
import concurrent.futures, io, json, sys, time, urllib.error, urllib.request, uuid, zlib, struct

base, started, photo_a, photo_b, face, landmarks = sys.argv[1], float(sys.argv[2]), *sys.argv[3:7]


def request(path, fields=None, files=None):
    """(status, JSON body) of GET (no form) or POST multipart/form-data."""
    if fields is None and files is None:
        req = urllib.request.Request(base + path)
    else:
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in (fields or {}).items():
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, data) in (files or {}).items():
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                       f'Content-Type: application/octet-stream\r\n\r\n'.encode() + data + b'\r\n')
        body.write(f'--{boundary}--\r\n'.encode())
        req = urllib.request.Request(base + path, data=body.getvalue(), method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def blank_png(width=200, height=160):
    """A flat grey PNG: a valid image with no face."""
    raw = b"".join(b"\x00" + b"\x80" * (3 * width) for _ in range(height))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def expect(condition, what):
    if not condition:
        sys.exit(f"WebVerify: {what}")


# Ready: the service loads and warms the model before it listens.
for _ in range(600):
    try:
        status, ready = request("/ready")
        if status == 200:
            break
    except (urllib.error.URLError, ConnectionError):
        pass
    time.sleep(0.1)
else:
    sys.exit("WebVerify: not ready within 60 s")
print(f"cold start to ready: {time.time() - started:.1f} s; {ready}")
expect(request("/health")[0] == 200, "/health is not 200")

a, b = read(photo_a), read(photo_b)
t0 = time.time()
status, verdict = request("/verify", files={"a": ("a.png", a), "b": ("b.png", b)})
print(f"first /verify (detection in both photos): {time.time() - t0:.2f} s → {status} {verdict}")
expect(status == 200 and {"score", "threshold", "same"} <= verdict.keys(), f"/verify answered {status} {verdict}")
expect(-1 <= verdict["score"] <= 1, "score outside [-1, 1]")

status, embedded = request("/embed", fields={"photo_landmarks": landmarks}, files={"photo": ("face.jpg", read(face))})
expect(status == 200 and embedded["dimension"] == len(embedded["embedding"]), f"/embed answered {status}")
norm = sum(v * v for v in embedded["embedding"]) ** 0.5
expect(abs(norm - 1) < 1e-4, f"/embed returned a vector of norm {norm}")

# The caller's mistakes: one line each, 400 for a malformed request, 422 for an unusable photo.
cases = [
    ("no form", "/verify", None, None, 400),
    ("a missing file", "/verify", None, {"a": ("a.png", a)}, 400),
    ("landmarks that are not 10 numbers", "/embed", {"photo_landmarks": "1,2,3"}, {"photo": ("face.jpg", read(face))}, 400),
    ("bytes that are not an image", "/embed", None, {"photo": ("notes.txt", b"not an image at all")}, 422),
    ("a photo without a face", "/verify", None, {"a": ("blank.png", blank_png()), "b": ("b.png", b)}, 422),
    ("landmarks outside the photo", "/embed", {"photo_landmarks": "1e6,1e6,2e6,1e6,1.5e6,1.5e6,1e6,2e6,2e6,2e6"}, {"photo": ("face.jpg", read(face))}, 422),
]
for what, path, fields, files, code in cases:
    if fields is None and files is None:
        req = urllib.request.Request(base + path, data=b"{}", method="POST", headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=60)
            status, body = 200, {}
        except urllib.error.HTTPError as e:
            status, body = e.code, json.loads(e.read() or b"{}")
    else:
        status, body = request(path, fields, files)
    expect(status == code and "\n" not in body.get("error", "\n"), f"{what}: {status} {body}, expected {code} with a one-line error")
    print(f"{what}: {status} {body['error']}")

# 8 concurrent verifications of the same pair: all answered, all equal.
t0 = time.time()
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    answers = list(pool.map(lambda _: request("/verify", files={"a": ("a.png", a), "b": ("b.png", b)}), range(8)))
expect(all(s == 200 and v == verdict for s, v in answers), f"concurrent /verify: {answers}")
print(f"8 concurrent /verify: all 200 and equal, {time.time() - t0:.2f} s")
