#!/usr/bin/env python3
"""Render a terminal capture with ANSI colours (`tmux capture-pane -e -p`) to a PNG.

Usage: render_png.py CAPTURE.ans OUT.png [--cols 160] [--rows 45] [--size 15] [--light]

Draws one monospace cell per character (two for East Asian wide ones) in DejaVu Sans Mono, with
SGR colours (16, 256 and true colour), bold, dim, italic, underline and reverse. Box-drawing
characters are drawn as lines through the cell centre so that borders join without gaps whatever
the font's glyph metrics. --light renders as a terminal with a light background and palette
(for themes meant for one).
"""

import argparse
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
DEFAULT_FG = (208, 208, 208)
DEFAULT_BG = (24, 26, 32)
# A dark palette for the 16 ANSI colours; index 8 ("bright black", ratatui's DarkGray) must stay readable.
PALETTE16 = [
    (40, 42, 54), (230, 80, 80), (80, 200, 110), (230, 190, 80),
    (90, 150, 240), (200, 110, 220), (80, 200, 210), (200, 200, 200),
    (120, 124, 136), (255, 110, 110), (120, 230, 140), (255, 220, 110),
    (130, 180, 255), (230, 140, 250), (120, 230, 240), (250, 250, 250),
]

# Box drawing: (up, right, down, left) arm weights; 1 light, 2 heavy, 3 double.
BOX = {}
for ch, arms in {
    "─": (0, 1, 0, 1), "│": (1, 0, 1, 0), "┌": (0, 1, 1, 0), "┐": (0, 0, 1, 1),
    "└": (1, 1, 0, 0), "┘": (1, 0, 0, 1), "├": (1, 1, 1, 0), "┤": (1, 0, 1, 1),
    "┬": (0, 1, 1, 1), "┴": (1, 1, 0, 1), "┼": (1, 1, 1, 1),
    "╭": (0, 1, 1, 0), "╮": (0, 0, 1, 1), "╰": (1, 1, 0, 0), "╯": (1, 0, 0, 1),
    "━": (0, 2, 0, 2), "┃": (2, 0, 2, 0), "┏": (0, 2, 2, 0), "┓": (0, 0, 2, 2),
    "┗": (2, 2, 0, 0), "┛": (2, 0, 0, 2), "┣": (2, 2, 2, 0), "┫": (2, 0, 2, 2),
    "┳": (0, 2, 2, 2), "┻": (2, 2, 0, 2), "╋": (2, 2, 2, 2),
    "═": (0, 3, 0, 3), "║": (3, 0, 3, 0), "╔": (0, 3, 3, 0), "╗": (0, 0, 3, 3),
    "╚": (3, 3, 0, 0), "╝": (3, 0, 0, 3), "╠": (3, 3, 3, 0), "╣": (3, 0, 3, 3),
    "╦": (0, 3, 3, 3), "╩": (3, 3, 0, 3), "╬": (3, 3, 3, 3),
}.items():
    BOX[ch] = arms

SGR = re.compile(r"\x1b\[([0-9;:]*)m")
OTHER_ESC = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][A-Za-z0-9])")


def color256(n):
    if n < 16:
        return PALETTE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


class Pen:
    """The current SGR attributes."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = False

    def copy(self):
        p = Pen()
        p.__dict__.update(self.__dict__)
        return p

    def apply(self, params):
        codes = [int(c) if c else 0 for c in re.split("[;:]", params)] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = PALETTE16[c - 30]
            elif 90 <= c <= 97:
                self.fg = PALETTE16[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = PALETTE16[c - 40]
            elif 100 <= c <= 107:
                self.bg = PALETTE16[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    col = color256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    col = tuple(codes[i + 2:i + 5])
                    i += 4
                else:
                    col = None
                if c == 38:
                    self.fg = col
                else:
                    self.bg = col
            i += 1

    def colors(self):
        fg = self.fg or DEFAULT_FG
        bg = self.bg or DEFAULT_BG
        if self.bold and self.fg in PALETTE16[:8]:
            # Terminals commonly brighten bold text in the first eight colours.
            fg = PALETTE16[PALETTE16.index(self.fg) + 8]
        if self.dim:
            fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
        if self.reverse:
            fg, bg = bg, fg
        return fg, bg


def parse(text, cols, rows):
    """A grid rows×cols of (char, Pen) cells; None marks the second half of a wide character."""
    blank = Pen()
    grid = [[(" ", blank) for _ in range(cols)] for _ in range(rows)]
    pen = Pen()
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        pos = 0
        while pos < len(line) and x < cols:
            m = SGR.match(line, pos)
            if m:
                pen.apply(m.group(1))
                pos = m.end()
                continue
            m = OTHER_ESC.match(line, pos)
            if m:
                pos = m.end()
                continue
            ch = line[pos]
            pos += 1
            if ch == "\r" or unicodedata.category(ch) in ("Cc", "Mn", "Me", "Cf"):
                continue
            wide = unicodedata.east_asian_width(ch) in ("W", "F")
            grid[y][x] = (ch, pen.copy())
            if wide and x + 1 < cols:
                grid[y][x + 1] = (None, pen.copy())
                x += 1
            x += 1
        # tmux ends each line with the attributes reset; a new line starts clean either way.
        pen = Pen()
    return grid


def draw_box(d, arms, x0, y0, cw, ch, fg):
    cx, cy = x0 + cw // 2, y0 + ch // 2
    light = max(1, round(cw / 9))
    ends = [(cx, y0), (x0 + cw, cy), (cx, y0 + ch), (x0, cy)]
    for (ex, ey), weight in zip(ends, arms):
        if not weight:
            continue
        if weight == 3:
            off = max(2, light * 2)
            for o in (-off, off):
                if ex == cx:
                    d.line([(cx + o, cy - off), (cx + o, ey)], fill=fg, width=light)
                else:
                    d.line([(cx - off, cy + o), (ex, cy + o)], fill=fg, width=light)
            continue
        w = light * 2 if weight == 2 else light
        # Extend to the centre by half the width, so corners close.
        if ex == cx:
            sy = cy - w // 2 if ey > cy else cy + (w - 1) // 2
            d.line([(cx, sy), (cx, ey)], fill=fg, width=w)
        else:
            sx = cx - w // 2 if ex > cx else cx + (w - 1) // 2
            d.line([(sx, cy), (ex, cy)], fill=fg, width=w)


def render(grid, out, size):
    def load(name, fallback=None):
        try:
            return ImageFont.truetype(FONT_DIR + name, size)
        except OSError:
            # fonts-dejavu-core has no oblique faces; upright text is better than none.
            return fallback

    regular = load("DejaVuSansMono.ttf")
    bold = load("DejaVuSansMono-Bold.ttf", regular)
    fonts = {
        (False, False): regular,
        (True, False): bold,
        (False, True): load("DejaVuSansMono-Oblique.ttf", regular),
        (True, True): load("DejaVuSansMono-BoldOblique.ttf", bold),
    }
    # A private-use code point DejaVu has no glyph for: its mask is the "missing glyph" box.
    notdef = bytes(regular.getmask("\U000F0000"))
    ascent, descent = regular.getmetrics()
    cw = round(regular.getlength("M"))
    chh = ascent + descent + 2
    pad = 12
    rows, cols = len(grid), len(grid[0])
    img = Image.new("RGB", (cols * cw + 2 * pad, rows * chh + 2 * pad), DEFAULT_BG)
    d = ImageDraw.Draw(img)
    missing = set()
    for y, row in enumerate(grid):
        for x, (ch, pen) in enumerate(row):
            if ch is None:
                continue
            wide = unicodedata.east_asian_width(ch) in ("W", "F")
            x0, y0 = pad + x * cw, pad + y * chh
            fg, bg = pen.colors()
            if bg != DEFAULT_BG:
                d.rectangle([x0, y0, x0 + cw * (2 if wide else 1) - 1, y0 + chh - 1], fill=bg)
            if ch in BOX:
                draw_box(d, BOX[ch], x0, y0, cw, chh, fg)
            elif ch != " ":
                font = fonts[(pen.bold, pen.italic)]
                if bytes(font.getmask(ch)) == notdef:
                    missing.add(ch)
                d.text((x0, y0 + 1), ch, font=font, fill=fg)
            if pen.underline:
                d.line([(x0, y0 + chh - 2), (x0 + cw - 1, y0 + chh - 2)], fill=fg)
    img.save(out)
    if missing:
        print(f"{out}: glyphs missing from the font: {''.join(sorted(missing))}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("capture")
    ap.add_argument("out")
    ap.add_argument("--cols", type=int, default=160)
    ap.add_argument("--rows", type=int, default=45)
    ap.add_argument("--size", type=int, default=15)
    ap.add_argument("--light", action="store_true", help="a light terminal background and palette")
    a = ap.parse_args()
    if a.light:
        global DEFAULT_FG, DEFAULT_BG
        DEFAULT_FG, DEFAULT_BG = (31, 35, 40), (250, 250, 250)
        # Edit the list in place: the parser looks colours up in it.
        PALETTE16[:] = [
            (36, 41, 47), (207, 34, 46), (17, 99, 41), (154, 103, 0),
            (9, 105, 218), (130, 80, 223), (27, 124, 131), (110, 119, 129),
            (87, 96, 106), (164, 14, 38), (26, 127, 55), (99, 60, 1),
            (33, 139, 255), (163, 113, 247), (49, 146, 170), (140, 149, 159),
        ]
    with open(a.capture, encoding="utf-8", errors="replace") as f:
        text = f.read()
    render(parse(text, a.cols, a.rows), a.out, a.size)


if __name__ == "__main__":
    main()
