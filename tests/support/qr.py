"""Reading QR codes back in tests, with zbarimg (Debian zbar-tools), as a phone would."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

MODULE = re.compile(r"M(\d+),(\d+)H")
VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')


def zbarimg(png: Path) -> str:
    """The text of the one QR code in an image; fails the test when none is found."""
    exe = shutil.which("zbarimg")
    assert exe, "zbarimg is missing: `make system-deps` installs zbar-tools"
    # zbar guesses the byte encoding; UTF-8 is what the kiosk writes. QR codes only: with every
    # symbology on, zbar also "finds" a Codabar in some codes' modules (「…17:00\nB9.B」 was one
    # plan's text), which a phone's camera, looking for QR codes, does not.
    out = subprocess.run([exe, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", "-Sbinary", str(png)],
                         capture_output=True, timeout=30)
    assert out.returncode == 0, f"no QR code found in {png}: {out.stderr.decode(errors='replace')}"
    return out.stdout.decode("utf-8").rstrip("\n")


def decode_svg(svg: str, scale: int = 6) -> str:
    """Draw the kiosk's SVG QR code (one square per module) and decode it."""
    width, height = map(int, VIEWBOX.search(svg).groups())
    image = Image.new("L", (width * scale, height * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y in MODULE.findall(svg):
        x, y = int(x) * scale, int(y) * scale
        draw.rectangle([x, y, x + scale - 1, y + scale - 1], fill=0)
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "qr.png"
        image.save(png)
        return zbarimg(png)


def modules(svg: str) -> int:
    """The code's size in modules, quiet zone included (version v has 17 + 4v)."""
    return int(VIEWBOX.search(svg).group(1))
