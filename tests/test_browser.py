"""The web page of `streampro serve` in a real headless Chromium: its fake webcam plays a generated .y4m,
the page captures frames, sends them over the WebSocket, and the model's responses must appear on the
page (list and timeline) with live stats. Needs Debian's chromium + chromium-driver (.ci/run installs
them); skipped, saying why, where they are missing."""

from __future__ import annotations

import shutil
import time

import numpy as np
import pytest

pytest.importorskip("fastapi")
selenium = pytest.importorskip("selenium")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs chromium and chromedriver (apt-get install "
                                "chromium chromium-driver)")


def write_y4m(path, frames: int = 40, size: int = 64, fps: int = 10) -> None:
    """A moving white square on a changing background, as the raw YUV4MPEG Chromium's fake camera plays."""
    import av

    with av.open(str(path), "w", format="yuv4mpegpipe") as c:
        s = c.add_stream("rawvideo", rate=fps)
        s.width, s.height, s.pix_fmt = size, size, "yuv420p"
        for k in range(frames):
            img = np.zeros((size, size, 3), np.uint8)
            img[..., 0] = k * 6
            x = (k * 2) % (size - 20)
            img[20:40, x : x + 20] = 255
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def test_page_streams_the_webcam_and_shows_responses(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from streampro.models.registry import build_model
    from tests.test_serve import Server

    cam = tmp_path / "cam.y4m"
    write_y4m(cam)
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-video-capture={cam}", f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(flag)
    with Server(build_model("random", seed=0, rate=0.5), token="t0k") as srv:
        driver = webdriver.Chrome(options=opts, service=Service(DRIVER))
        try:
            driver.set_page_load_timeout(30)
            driver.get(f"{srv.url}/?token=t0k")
            assert "StreamPro" in driver.title
            Select(driver.find_element(By.ID, "source")).select_by_value("webcam")
            fps = driver.find_element(By.ID, "fps")
            fps.clear()
            fps.send_keys("4")
            driver.find_element(By.ID, "question").send_keys("Tell me when the white square reaches the right edge")
            driver.find_element(By.ID, "start").click()
            wait = WebDriverWait(driver, 40, poll_frequency=0.2)
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#responses li")) >= 2)
            items = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#responses li")]
            assert all(" s" in t and len(t) > 4 for t in items), items  # "<time> s <answer>"
            wait.until(lambda d: "stepped" in d.find_element(By.ID, "stats").text)
            assert driver.find_elements(By.CSS_SELECTOR, "#timeline circle")  # responses on the timeline
            assert "asked (q0)" in driver.find_element(By.ID, "asked").text
            assert not driver.find_element(By.ID, "errors").text
            driver.find_element(By.ID, "stop").click()
            time.sleep(0.5)
            m = srv.engine.metrics()
            assert m["responses"] >= len(items) and m["frames_stepped"] >= 2
        finally:
            driver.quit()
