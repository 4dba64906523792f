"""The walkthrough page in a real browser: headless Chromium, driven over the Chrome DevTools protocol.

Checked on the course graph, a logistic regression on one example and the 70-node MLP(2, [4, 4, 1]) loss: no
console error and no request but the page itself; the graph stays put while the explanation grows; the step's node
is inside the viewport at every step; the zoom buttons, the wheel and a drag move and scale the graph; "Fit" shows
all of it; the arrow keys still step; with notation="course" (and group="neuron") the red texts and the steps read
dz, dw1 as the slide does. Skipped where Chromium (Debian's `chromium`) or websocket-client is missing.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

import nn
import viz
from conftest import course_graph

websocket = pytest.importorskip("websocket", reason="websocket-client (the test extra) is not installed")
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium to drive: apt-get install chromium")

WIDTH, HEIGHT = 1280, 900
PATIENCE = 60.0  # seconds for the browser to start or answer; generous, for a busy machine


class Browser:
    """One headless Chromium and one of its pages, spoken to over the DevTools protocol (a websocket)."""

    def __init__(self, profile: Path) -> None:
        """Start Chromium with the profile folder `profile` and connect to its first page."""
        (profile / "DevToolsActivePort").unlink(missing_ok=True)  # a previous run's port is not this one's
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-port=0", f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port = self._port(profile / "DevToolsActivePort")
            local = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
            pages = json.load(local.open(f"http://127.0.0.1:{port}/json/list", timeout=PATIENCE))
            url = next(p["webSocketDebuggerUrl"] for p in pages if p["type"] == "page")
            self.socket = websocket.create_connection(url, timeout=PATIENCE, suppress_origin=True)
        except BaseException:
            self.close()
            raise
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")

    def _port(self, path: Path) -> int:
        """The port Chromium chose, from the file it writes once it listens."""
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            if path.exists() and path.read_text().strip():
                return int(path.read_text().split()[0])
            if self.process.poll() is not None:
                raise RuntimeError(f"Chromium exited with status {self.process.returncode}")
            time.sleep(0.1)
        raise TimeoutError("Chromium did not open its DevTools port")

    def send(self, method: str, **params) -> dict:
        """Call a DevTools method and return its result; events that arrive meanwhile are kept in self.events."""
        call = next(self.ids)
        self.socket.send(json.dumps({"id": call, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == call:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str) -> None:
        """Read messages until the event `event` arrives."""
        while not any(e.get("method") == event for e in self.events):
            self.events.append(json.loads(self.socket.recv()))

    def open(self, path: Path) -> None:
        """Load the file at path and wait until it has loaded."""
        self.events.clear()
        self.send("Page.navigate", url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str):
        """The value of a JavaScript expression in the page (awaited if it is a promise)."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """The console errors and warnings, uncaught exceptions and requests for anything but the page file."""
        found = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log: {params['entry'].get('text')}")
            elif method == "Network.requestWillBeSent" and not params["request"]["url"].startswith("file:"):
                found.append(f"request: {params['request']['url']}")
        return found

    def mouse(self, kind: str, x: float, y: float, **more) -> None:
        """A real mouse event at (x, y) in the page's pixels."""
        self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, **more)

    def key(self, key: str, code: str, keycode: int) -> None:
        """Press and release a key."""
        for kind in ("rawKeyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key=key, code=code, windowsVirtualKeyCode=keycode)

    def screenshot(self, path: Path) -> None:
        """Save what the page shows as a PNG."""
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        """Close the connection and stop this Chromium (only the process started here)."""
        socket = getattr(self, "socket", None)
        if socket is not None:
            socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


RECT = "(e => {const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];})"


def rect(browser: Browser, selector: str) -> list[float]:
    """The box of the first element matching selector: left, top, right, bottom, in the page's pixels."""
    return browser.js(f"{RECT}(document.querySelector({json.dumps(selector)}))")


def step_count(browser: Browser) -> int:
    """How many steps the walkthrough has."""
    return browser.js("JSON.parse(document.getElementById('steps').textContent).steps.length")


def inside(box: list[float], frame: list[float], slack: float = 1.0) -> bool:
    """Whether box lies within frame (to a pixel of rounding)."""
    return (box[0] >= frame[0] - slack and box[1] >= frame[1] - slack and box[2] <= frame[2] + slack
            and box[3] <= frame[3] + slack)


def logistic_loss():
    """nn.LogisticRegression(2) on one example, its binary cross-entropy."""
    model = nn.LogisticRegression(2)
    model.w[0].data, model.w[1].data = 0.5, -0.3
    return nn.binary_cross_entropy(model([1.0, 2.0]), 1.0)


def mlp_loss():
    """The 70-node graph: MLP(2, [4, 4, 1])'s binary cross-entropy (with logits) on one example."""
    model = nn.MLP(2, [4, 4, 1], seed=0)
    return nn.binary_cross_entropy_with_logits(model([0.5, -1.0]), 1.0)


PAGES = {"course": (lambda: course_graph()[-1], {}), "logistic": (logistic_loss, {}),
         "mlp": (mlp_loss, {}), "mlp-neurons": (mlp_loss, {"group": "neuron"}),
         "logistic-course": (logistic_loss, {"notation": "course"}),
         "mlp-neurons-course": (mlp_loss, {"group": "neuron", "notation": "course"})}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One Chromium for the module's tests (starting it is the slow part)."""
    b = Browser(tmp_path_factory.mktemp("profile"))
    yield b
    b.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The walkthrough pages, by name."""
    folder = tmp_path_factory.mktemp("pages")
    return {name: viz.walkthrough(build(), folder / f"{name}.html", **options)
            for name, (build, options) in PAGES.items()}


@pytest.mark.parametrize("name", PAGES)
def test_every_step_zoom_and_fit_run_without_a_console_error_or_a_request(browser, pages, name):
    browser.open(pages[name])
    n = step_count(browser)
    for _ in range(n):
        browser.js("document.getElementById('next').click()")
    for button in ("zoom-in", "zoom-out", "fit", "prev"):
        browser.js(f"document.getElementById('{button}').click()")
    assert browser.js("document.getElementById('count').textContent") == f"Step {n - 2} of {n - 1}"
    assert browser.problems() == []


def test_the_course_graph_stays_put_while_the_explanation_grows(browser, pages):
    browser.open(pages["course"])
    n = step_count(browser)
    said = [browser.js(f"JSON.parse(document.getElementById('steps').textContent).steps[{k}].say.length")
            for k in range(n)]
    assert min(said) == 1 and max(said) > 3  # the text grows past three lines at the last step
    where = []
    for k in range(n):
        where.append(rect(browser, "svg"))  # the page's drawing
        browser.js("document.getElementById('next').click()")
    assert all(w == where[0] for w in where), where  # the course graph fits: nothing ever needs to move


@pytest.mark.parametrize("name", ["logistic", "mlp", "mlp-neurons", "mlp-neurons-course"])
def test_the_steps_node_is_in_the_viewport_at_every_step(browser, pages, name):
    browser.open(pages[name])
    view = rect(browser, "#view")
    for k in range(step_count(browser)):
        node = browser.js("JSON.parse(document.getElementById('steps').textContent).steps"
                          f"[{k}].node")
        assert inside(rect(browser, f"#{node}"), view), (k, node)
        assert rect(browser, "#view") == view  # the viewport itself never moves
        browser.js("document.getElementById('next').click()")


def test_a_moved_away_graph_is_brought_back_to_the_next_steps_node(browser, pages):
    browser.open(pages["mlp"])
    browser.js("document.getElementById('zoom-in').click()")
    view = rect(browser, "#view")
    browser.mouse("mousePressed", view[0] + 50, view[1] + 50, button="left", clickCount=1)
    browser.mouse("mouseMoved", view[0] + 2050, view[1] + 1550, button="left", buttons=1)
    browser.mouse("mouseReleased", view[0] + 2050, view[1] + 1550, button="left", clickCount=1)
    first = browser.js("JSON.parse(document.getElementById('steps').textContent).steps[1].node")
    assert not inside(rect(browser, f"#{first}"), view)  # dragged far away
    browser.key("ArrowRight", "ArrowRight", 39)
    assert browser.js("document.getElementById('count').textContent").startswith("Step 1 ")
    assert inside(rect(browser, f"#{first}"), view)


def test_the_zoom_buttons_and_the_wheel_scale_the_graph_and_a_drag_moves_it(browser, pages):
    browser.open(pages["mlp"])
    width = lambda: rect(browser, "#stage svg")[2] - rect(browser, "#stage svg")[0]  # noqa: E731
    before = width()
    browser.js("document.getElementById('zoom-in').click()")
    assert width() == pytest.approx(before * 1.25, rel=1e-3)
    browser.js("document.getElementById('zoom-out').click()")
    assert width() == pytest.approx(before, rel=1e-3)
    view = rect(browser, "#view")
    x, y = (view[0] + view[2]) / 2, (view[1] + view[3]) / 2
    browser.mouse("mouseWheel", x, y, deltaX=0, deltaY=-200)
    assert width() > before * 1.2
    browser.mouse("mouseWheel", x, y, deltaX=0, deltaY=400)
    assert width() < before * 0.9
    start = rect(browser, "#stage svg")
    browser.mouse("mousePressed", x, y, button="left", clickCount=1)
    browser.mouse("mouseMoved", x + 120, y + 80, button="left", buttons=1)
    browser.mouse("mouseReleased", x + 120, y + 80, button="left", clickCount=1)
    moved = rect(browser, "#stage svg")
    assert moved[0] - start[0] == pytest.approx(120, abs=1) and moved[1] - start[1] == pytest.approx(80, abs=1)
    assert browser.problems() == []


@pytest.mark.parametrize("name", PAGES)
def test_fit_shows_the_whole_graph_filling_the_viewport(browser, pages, name):
    browser.open(pages[name])
    browser.js("document.getElementById('zoom-in').click()")
    browser.js("document.getElementById('fit').click()")
    graph, view = rect(browser, "#stage svg"), rect(browser, "#view")
    assert inside(graph, view)
    fills = [graph[2] - graph[0] >= view[2] - view[0] - 4, graph[3] - graph[1] >= view[3] - view[1] - 4]
    assert any(fills)  # as large as it can be: touching two opposite sides


def test_the_first_view_of_the_large_graph_is_readable_and_of_the_course_graph_natural(browser, pages):
    browser.open(pages["mlp"])
    assert browser.js("document.getElementById('scale').textContent") == "75%"
    browser.open(pages["course"])
    assert browser.js("document.getElementById('scale').textContent") == "100%"
    assert inside(rect(browser, "#stage svg"), rect(browser, "#view"))


def test_the_course_notation_steps_through_the_logistic_regression_as_the_slide_writes_it(browser, pages):
    browser.open(pages["logistic-course"])
    red = "Array.from(document.querySelectorAll('g.node text[fill=\"red\"]'), t => t.textContent)"
    assert sorted(browser.js(red)) == sorted(["dL = 1", "da = ?", "dz = ?", "dw1 = ?", "dw2 = ?", "db = ?"])
    for _ in range(step_count(browser) - 1):
        browser.js("document.getElementById('next').click()")
    shown = browser.js(red)
    assert {t.split(" = ")[0] for t in shown} == {"dL", "da", "dz", "dw1", "dw2", "db"} and "?" not in str(shown)
    say = browser.js("document.getElementById('say').textContent")
    assert "dw1 = dz · ∂z/∂w1 = " in say and "dL/dz" not in say
    title = "(e => e.getAttributeNS('http://www.w3.org/1999/xlink', 'title'))"
    assert browser.js(f"{title}(document.querySelector('#x1 a'))") == "x1 = 1"  # the grey input, named on hover
    assert browser.js("document.querySelector('#x1 text').textContent") == "x1 = 1"
    assert browser.problems() == []


def test_the_arrow_keys_step_forward_and_back(browser, pages):
    browser.open(pages["course"])
    browser.key("ArrowRight", "ArrowRight", 39)
    browser.key("ArrowRight", "ArrowRight", 39)
    assert browser.js("document.getElementById('count').textContent") == "Step 2 of 3"
    browser.key("ArrowLeft", "ArrowLeft", 37)
    assert browser.js("document.getElementById('count').textContent") == "Step 1 of 3"
    assert browser.js("document.querySelector('.node.active').id") == browser.js(
        "JSON.parse(document.getElementById('steps').textContent).steps[1].node")


def test_screenshot_of_the_course_walkthrough_shows_the_graph(browser, pages, tmp_path):
    browser.open(pages["course"])
    shot = tmp_path / "course.png"
    browser.screenshot(shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and os.path.getsize(shot) > 10_000
