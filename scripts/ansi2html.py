#!/usr/bin/env python3
"""ANSI (tmux capture-pane -e) to an HTML page that looks like a terminal.

Why not aha: aha paints the 16 basic colours with its own fixed palette when they arrive as
indexed colours (38;5;N, which is what crossterm sends), and it cannot keep wide characters
(CJK) on the cell grid. Here every cell is a fixed-width box, so box drawing stays aligned
whatever fonts the browser falls back to.

Usage: ansi2html.py COLS ROWS < capture.ans > screen.html
"""

import html
import re
import sys
import unicodedata

# A dark palette (Tomorrow Night), the 16 basic colours in order.
PALETTE = [
    "#1d1f21", "#cc6666", "#b5bd68", "#f0c674", "#81a2be", "#b294bb", "#8abeb7", "#c5c8c6",
    "#5c6370", "#d54e53", "#b9ca4a", "#e7c547", "#7aa6da", "#c397d8", "#70c0b1", "#eaeaea",
]
BACKGROUND = "#1d1f21"
FOREGROUND = "#c5c8c6"


def xterm(n):
    """The colour of xterm-256 index n."""
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        r, g, b = steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
        return f"#{r:02x}{g:02x}{b:02x}"
    level = 8 + (n - 232) * 10
    return f"#{level:02x}{level:02x}{level:02x}"


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.faint = self.italic = self.underline = self.reverse = False

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.faint = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.faint = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = PALETTE[c - 30]
            elif 90 <= c <= 97:
                self.fg = PALETTE[c - 90 + 8]
            elif c == 39:
                self.fg = None
            elif 40 <= c <= 47:
                self.bg = PALETTE[c - 40]
            elif 100 <= c <= 107:
                self.bg = PALETTE[c - 100 + 8]
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = xterm(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    r, g, b = codes[i + 2 : i + 5]
                    colour = f"#{r:02x}{g:02x}{b:02x}"
                    i += 4
                else:
                    colour = None
                if c == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1

    def style(self):
        fg, bg = self.fg or FOREGROUND, self.bg or BACKGROUND
        if self.reverse:
            fg, bg = bg, fg
        css = []
        if fg != FOREGROUND:
            css.append(f"color:{fg}")
        if bg != BACKGROUND:
            css.append(f"background:{bg}")
        if self.bold:
            css.append("font-weight:bold")
        if self.faint:
            css.append("opacity:.6")
        if self.italic:
            css.append("font-style:italic")
        if self.underline:
            css.append("text-decoration:underline")
        return ";".join(css)


def cell_width(ch):
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def convert_line(line, cols, pen):
    """One terminal row as HTML: runs of one style, non-ASCII characters boxed to their width."""
    out, run, run_style, used = [], [], None, 0

    def flush():
        if run:
            text = "".join(run)
            out.append(f'<span style="{run_style}">{text}</span>' if run_style else text)
            run.clear()

    for token in re.split(r"(\x1b\[[0-9;]*m)", line):
        if token.startswith("\x1b["):
            pen.apply(token[2:-1])
            continue
        for ch in token:
            if unicodedata.category(ch) in ("Cc", "Cf"):
                continue
            style = pen.style()
            if style != run_style:
                flush()
                run_style = style
            w = cell_width(ch)
            if ch.isascii():
                run.append(html.escape(ch))
            else:
                run.append(f'<i class="c{w}">{html.escape(ch)}</i>')
            used += w
    flush()
    # fill the row with the current background, as a terminal does
    if used < cols:
        style = pen.style()
        pad = " " * (cols - used)
        out.append(f'<span style="{style}">{pad}</span>' if style else pad)
    return "".join(out)


def main():
    cols, rows = int(sys.argv[1]), int(sys.argv[2])
    text = sys.stdin.read()
    lines = text.split("\n")[:rows]
    lines += [""] * (rows - len(lines))
    pen = Pen()
    body = "\n".join(convert_line(line, cols, pen) for line in lines)
    print(f"""<!doctype html>
<html><head><meta charset="utf-8"><title>sctui</title>
<style>
  html, body {{ margin: 0; background: #0f1011; }}
  .window {{ display: inline-block; margin: 24px; border-radius: 10px; overflow: hidden;
            box-shadow: 0 10px 40px rgba(0,0,0,.6); background: {BACKGROUND}; }}
  .bar {{ height: 30px; background: #2b2d30; display: flex; align-items: center; padding: 0 12px;
         font: 13px "DejaVu Sans", sans-serif; color: #9da1a6; }}
  .dot {{ width: 12px; height: 12px; border-radius: 50%; margin-right: 8px; }}
  .title {{ flex: 1; text-align: center; margin-right: 60px; }}
  pre {{ margin: 0; padding: 10px 14px; color: {FOREGROUND}; background: {BACKGROUND};
        font: 15px/1.17 "DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace;
        font-variant-ligatures: none; }}
  i {{ font-style: inherit; display: inline-block; text-align: center;
      vertical-align: top; }}
  i.c1 {{ width: 1ch; }}
  i.c2 {{ width: 2ch; }}
</style></head>
<body><div class="window"><div class="bar">
<span class="dot" style="background:#ff5f57"></span><span class="dot" style="background:#febc2e"></span>
<span class="dot" style="background:#28c840"></span><span class="title">sctui --demo</span></div>
<pre>{body}</pre></div></body></html>""")


if __name__ == "__main__":
    main()
