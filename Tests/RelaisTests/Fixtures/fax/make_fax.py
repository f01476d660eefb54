#!/usr/bin/python3
"""Makes the faxed-list fixtures: each list in lists.json is rendered as a page, degraded as a
fax machine does (skew, 204 x 98 or 204 x 196 dpi, 1 bit, speckle), saved as TIFF or PNG, and
run through the tesseract command (after upscaling to 300 dpi, as a fax server's OCR does) to
give the .txt and .tsv a fax server would drop. The true content stays beside them in
lists.json. Run it from this folder: /usr/bin/python3 make_fax.py (needs python3-pil,
fonts-dejavu-core, tesseract-ocr-fra, tesseract-ocr-eng)."""
import json, random, subprocess, os
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


def render(spec):
    """The page at 300 dpi, letter width, as the creditor printed it."""
    width, height = 2550, 300 + 80 * (len(spec["rows"]) + 8)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 40)
    y = 120
    for line in spec.get("title", []):
        draw.text((150, y), line, font=font, fill=0)
        y += 80
    y += 40
    xs = spec["columns"]
    for (x, align), heading in zip(xs, spec["headings"]):
        draw.text((x, y), heading, font=font, fill=0, anchor="ra" if align == "r" else "la")
    y += 90
    for row in spec["rows"]:
        for (x, align), cell in zip(xs, row):
            draw.text((x, y), cell, font=font, fill=0, anchor="ra" if align == "r" else "la")
        y += 80
    y += 40
    for line in spec.get("footer", []):
        x, align, text = line
        draw.text((x, y), text, font=font, fill=0, anchor="ra" if align == "r" else "la")
        y += 80
    return page


def degrade(page, spec, rng):
    """Skew, fax resolution, one bit, speckle."""
    page = page.rotate(spec.get("skew", 0.0), resample=Image.BICUBIC, expand=True, fillcolor=255)
    xdpi, ydpi = spec["dpi"]
    w, h = page.size
    page = page.resize((int(w * xdpi / 300), int(h * ydpi / 300)), Image.BILINEAR)
    page = page.point(lambda v: 255 if v > 150 else 0).convert("1")
    pixels = page.load()
    w, h = page.size
    for _ in range(int(w * h * spec.get("speckle", 0.0))):
        pixels[rng.randrange(w), rng.randrange(h)] = 0
    return page


def main():
    lists = json.load(open("lists.json"))
    rng = random.Random(20240517)
    for name, spec in lists.items():
        fax = degrade(render(spec), spec, rng)
        image = f"{name}.{spec.get('image', 'tif')}"
        if image.endswith(".tif"):
            fax.save(image, compression="group4", dpi=tuple(spec["dpi"]))
        else:
            fax.save(image, dpi=tuple(spec["dpi"]))
        # The fax server's OCR: upscaled to 300 dpi, then tesseract.
        xdpi, ydpi = spec["dpi"]
        w, h = fax.size
        big = fax.convert("L").resize((int(w * 300 / xdpi), int(h * 300 / ydpi)), Image.BILINEAR)
        big.save("/tmp/relais-fax-ocr.png", dpi=(300, 300))
        for kind in spec.get("ocr", []):
            subprocess.run(["tesseract", "/tmp/relais-fax-ocr.png", name, "-l", "fra+eng",
                            "--psm", "6", kind], check=True, capture_output=True)
        os.remove("/tmp/relais-fax-ocr.png")


main()
