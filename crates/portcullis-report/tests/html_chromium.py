#!/usr/bin/env python3
"""Drive headless Chromium over the DevTools protocol (``--remote-debugging-pipe``)
to check the HTML scan report: every view loads with no console error, no
uncaught exception, no failed request and no dialog, the fragment selects the
view, and a PNG screenshot of each view is written and is not blank.

Standard library only. Used by ``tests/scan_html.rs``; can be run by hand:

    python3 html_chromium.py --chromium chromium --html report.html --out DIR

Prints one JSON object on stdout: ``{"ok": bool, "problems": [...],
"views": {name: {"png": path, "bytes": n, "colors": n, ...}}}``; exits 0 when
ok, 1 when a check failed, 2 when Chromium could not be driven.
"""

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

VIEWS = ["summary", "statistics", "vulnerabilities", "software", "layers"]


class Cdp:
    """A minimal CDP client over the two pipes Chromium opens on fd 3 and 4."""

    def __init__(self, binary, user_data_dir, width, height, deadline):
        self.deadline = deadline
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Move the child's ends above fd 10 so that dup2 onto 3 and 4
        # cannot clobber one with the other.
        child_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        child_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)

        def wire():
            os.dup2(child_r, 3)
            os.dup2(child_w, 4)
            os.setsid()

        args = [
            binary,
            "--headless=new",
            "--remote-debugging-pipe",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--mute-audio",
            "--user-data-dir=" + user_data_dir,
            "--window-size=%d,%d" % (width, height),
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            close_fds=False,
            preexec_fn=wire,
        )
        os.close(child_r)
        os.close(child_w)
        self.wfd = to_browser_w
        self.rfd = from_browser_r
        self.buf = b""
        self.next_id = 0
        self.events = []

    def close(self):
        for fd in (self.wfd, self.rfd):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        stderr = self.proc.stderr.read() if self.proc.stderr else b""
        return stderr.decode("utf-8", "replace")

    def _read_message(self):
        while b"\0" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.rfd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.rfd, 1 << 20)
            if not chunk:
                raise ConnectionError("Chromium closed the DevTools pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.wfd, json.dumps(msg).encode() + b"\0")
        want = self.next_id
        while True:
            m = self._read_message()
            if m.get("id") == want:
                if "error" in m:
                    raise RuntimeError("%s failed: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, session, timeout):
        end = min(self.deadline, time.monotonic() + timeout)
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    return self.events.pop(i)
            if time.monotonic() > end:
                raise TimeoutError("no %s event" % method)
            saved = self.deadline
            self.deadline = end
            try:
                self.events.append(self._read_message())
            finally:
                self.deadline = saved


def problems_in(events):
    """Every event that means the page is not clean."""
    out = []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = d.get("exception", {}).get("description") or d.get("text")
            out.append("uncaught exception: %s" % text)
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            out.append("console.%s: %s" % (p.get("type"), args))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            out.append("log error (%s): %s %s" % (entry.get("source"), entry.get("text"), entry.get("url", "")))
        elif m == "Network.loadingFailed":
            out.append("failed request: %s (%s)" % (p.get("errorText"), p.get("requestId")))
        elif m == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            if not url.startswith(("file:", "data:", "about:")):
                out.append("network request: %s" % url)
        elif m == "Page.javascriptDialogOpening":
            out.append("dialog opened: %s" % p.get("message"))
    return out


def png_stats(data):
    """(width, height, distinct colours in a sample, share of the dominant
    colour) of an 8-bit RGB/RGBA non-interlaced PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("unsupported PNG layout %r" % (ihdr,))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colors = {}
    sampled = 0
    for y in range(height):
        start = y * (stride + 1)
        ftype = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        if y % 4 == 0:
            for x in range(0, width, 4):
                px = bytes(line[x * bpp:x * bpp + 3])
                colors[px] = colors.get(px, 0) + 1
                sampled += 1
        prev = line
    dominant = max(colors.values()) / sampled if sampled else 1.0
    return width, height, len(colors), dominant


CHECK_JS = r"""
(function () {
  var active = document.querySelector('section.view.active');
  return {
    active: active ? active.id : null,
    js: document.documentElement.classList.contains('js'),
    sections: Array.prototype.map.call(document.querySelectorAll('section.view'), function (s) { return s.id; }),
    scripts: document.scripts.length,
    titleAsText: document.body.textContent.indexOf('<script>alert(1)</script>') >= 0,
    injected: document.querySelectorAll('script:not(:last-of-type), [onerror], [onload]').length,
    visibleSections: Array.prototype.filter.call(document.querySelectorAll('section.view'), function (s) { return s.offsetParent !== null; }).length,
    visibleRows: Array.prototype.filter.call(active ? active.querySelectorAll('tbody tr') : [], function (r) { return r.offsetParent !== null; }).length,
    height: document.documentElement.scrollHeight
  };
}())
"""


# The interactive parts, exercised on the Vulnerabilities view: the
# severity filter, sorting by a column, and the image selector.
INTERACT_JS = r"""
(function () {
  function visible(sel) {
    return Array.prototype.filter.call(document.querySelectorAll(sel), function (e) {
      return e.offsetParent !== null;
    }).length;
  }
  var out = {};
  var bar = document.querySelector('#vulnerabilities .toolbar');
  var table = bar && document.getElementById(bar.getAttribute('data-for'));
  if (!table) { return { error: 'no vulnerabilities table' }; }
  var rows = table.tBodies[0].rows.length;
  var sev = bar.querySelector('select[data-filter=sev]');
  sev.value = '5';
  sev.dispatchEvent(new Event('change'));
  out.critical = visible('#' + table.id + ' tbody tr');
  out.shownText = bar.querySelector('.shown').textContent;
  sev.value = '';
  sev.dispatchEvent(new Event('change'));
  out.all = visible('#' + table.id + ' tbody tr') === rows;
  var pkg = table.tHead.rows[0].cells[2];
  pkg.click();
  out.firstByPackage = table.tBodies[0].rows[0].cells[2].textContent;
  pkg.click();
  out.lastByPackage = table.tBodies[0].rows[0].cells[2].textContent;
  var pick = document.getElementById('image-select');
  if (pick) {
    pick.value = pick.options[pick.options.length - 1].value;
    pick.dispatchEvent(new Event('change'));
    out.blocksWithOneImage = visible('#vulnerabilities .image-block');
    pick.value = '';
    pick.dispatchEvent(new Event('change'));
    out.blocksWithAll = visible('#vulnerabilities .image-block');
  }
  return out;
}())
"""


def run(args):
    views = args.views.split(",") if args.views else VIEWS
    html = os.path.abspath(args.html)
    os.makedirs(args.out, exist_ok=True)
    user_data = tempfile.mkdtemp(prefix="portcullis-chromium-")
    deadline = time.monotonic() + args.timeout
    cdp = Cdp(args.chromium, user_data, args.width, args.height, deadline)
    result = {"ok": False, "problems": [], "views": {}}
    try:
        target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            cdp.send(domain + ".enable", {}, session)
        cdp.send("Emulation.setDeviceMetricsOverride",
                 {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False},
                 session)
        if args.no_js:
            cdp.send("Emulation.setScriptExecutionDisabled", {"value": True}, session)
        for view in views:
            cdp.send("Page.navigate", {"url": "about:blank"}, session)
            cdp.wait_event("Page.loadEventFired", session, 20)
            cdp.events = []
            url = "file://" + html + "#" + view
            cdp.send("Page.navigate", {"url": url}, session)
            cdp.wait_event("Page.loadEventFired", session, 30)
            # Let late errors and layout settle.
            time.sleep(0.3)
            cdp.send("Runtime.evaluate", {"expression": "1", "returnByValue": True}, session)
            state = cdp.send("Runtime.evaluate",
                             {"expression": CHECK_JS, "returnByValue": True}, session)
            page = state.get("result", {}).get("value") or {}
            shot = cdp.send("Page.captureScreenshot", {"format": "png"}, session)
            png = base64.b64decode(shot["data"])
            path = os.path.join(args.out, "report-%s%s.png" % (view, "-nojs" if args.no_js else ""))
            with open(path, "wb") as f:
                f.write(png)
            width, height, colors, dominant = png_stats(png)
            info = dict(page, png=path, bytes=len(png), width=width, height=height,
                        colors=colors, dominant=round(dominant, 3))
            result["views"][view] = info
            probs = ["%s: %s" % (view, p) for p in problems_in(cdp.events)]
            if args.no_js:
                if page.get("js") or page.get("visibleSections") != len(VIEWS):
                    probs.append("%s without JS: %d of %d views visible"
                                 % (view, page.get("visibleSections") or 0, len(VIEWS)))
            elif page.get("active") != view:
                probs.append("%s: the fragment selected view %r" % (view, page.get("active")))
            elif not page.get("js"):
                probs.append("%s: the script did not run" % view)
            if sorted(page.get("sections", [])) != sorted(VIEWS):
                probs.append("%s: sections are %r" % (view, page.get("sections")))
            if page.get("injected"):
                probs.append("%s: markup from the data became elements" % view)
            if colors < 8 or dominant > 0.985:
                probs.append("%s: the screenshot looks blank (%d colours, %.1f%% one colour)"
                             % (view, colors, dominant * 100))
            if view == "vulnerabilities" and args.interact:
                cdp.events = []
                acts = cdp.send("Runtime.evaluate",
                                {"expression": INTERACT_JS, "returnByValue": True}, session)
                info["interactions"] = acts.get("result", {}).get("value")
                probs.extend("%s: after interacting: %s" % (view, p) for p in problems_in(cdp.events))
            result["problems"].extend(probs)
        result["ok"] = not result["problems"]
    finally:
        stderr = cdp.close()
        shutil.rmtree(user_data, ignore_errors=True)
    if not result["ok"]:
        result["chromium_stderr_tail"] = stderr[-2000:]
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chromium", default="chromium")
    ap.add_argument("--html", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--views", default="")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=2000)
    ap.add_argument("--timeout", type=float, default=90.0)
    ap.add_argument("--no-js", action="store_true",
                    help="disable JavaScript: every view must then be visible")
    ap.add_argument("--interact", action="store_true",
                    help="also exercise the filter, sorting and image selector")
    args = ap.parse_args()
    try:
        result = run(args)
    except (TimeoutError, ConnectionError, RuntimeError, OSError, ValueError) as e:
        print(json.dumps({"ok": False, "problems": ["could not drive Chromium: %s" % e], "views": {}}))
        return 2
    print(json.dumps(result, indent=1, sort_keys=True))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
