"""Draws stars.png, the test edition's figure: thirteen stars in a ring on blue (run with Pillow)."""

import math
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 600  # larger than the PDF's text measure at 96 dpi, so the PDF must scale it down
image = Image.new("RGB", (SIZE * 2, SIZE), (0, 40, 104))
draw = ImageDraw.Draw(image)
for star in range(13):
    cx = SIZE + 200 * math.sin(2 * math.pi * star / 13)
    cy = SIZE / 2 - 200 * math.cos(2 * math.pi * star / 13)
    points = [
        (cx + r * math.sin(math.pi * k / 5), cy - r * math.cos(math.pi * k / 5))
        for k, r in zip(range(10), [34, 13] * 5)
    ]
    draw.polygon(points, fill=(255, 255, 255))
image.save(Path(__file__).with_name("stars.png"), optimize=True)
