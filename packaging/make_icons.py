"""Make every app icon from one source image, packaging/icons/llamadesk.png (1024 px).

    python packaging/make_icons.py            # derive the sizes from the source
    python packaging/make_icons.py --draw     # first redraw the source with QPainter

Writes packaging/icons/llamadesk-<N>.png, llamadesk.ico (Windows), llamadesk.icns (macOS),
copies the PNG sizes into app/llamadesk/resources/icons/ (the window icon at run time, in
the installed package and in the bundle alike) and renders docs/screenshots/icon.png, the
sizes side by side. Needs Pillow (the `packaging` extra); --draw also needs PySide6.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

if TYPE_CHECKING:
    from PySide6.QtGui import QPainterPath

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "packaging" / "icons"
SOURCE = ICONS / "llamadesk.png"
PACKAGE_ICONS = ROOT / "app" / "llamadesk" / "resources" / "icons"
PREVIEW = ROOT / "docs" / "screenshots" / "icon.png"
SOURCE_SIZE = 1024
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
# What the window icon needs; the big ones only matter to installers.
PACKAGE_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an .ico holds


def draw_source(path: Path) -> None:
    """Draw the icon: a blue rounded square holding a white speech bubble with a llama in it."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QBrush, QColor, QImage, QLinearGradient, QPainter, QPainterPath

    size = SOURCE_SIZE
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)

    # Margins like the platforms' own icon grids, so it sits well beside other apps.
    tile = QRectF(64, 64, size - 128, size - 128)
    gradient = QLinearGradient(tile.topLeft(), tile.bottomRight())
    gradient.setColorAt(0, QColor("#4c6ef5"))
    gradient.setColorAt(1, QColor("#1b2a6b"))
    painter.setBrush(QBrush(gradient))
    painter.drawRoundedRect(tile, 190, 190)

    bubble = QPainterPath()
    bubble.addRoundedRect(QRectF(190, 230, 644, 470), 150, 150)
    tail = QPainterPath()
    tail.moveTo(QPointF(300, 640))
    tail.lineTo(QPointF(250, 830))
    tail.lineTo(QPointF(470, 690))
    tail.closeSubpath()
    painter.setBrush(QColor("#ffffff"))
    painter.drawPath(bubble.united(tail))

    painter.setBrush(QColor("#1b2a6b"))
    painter.drawPath(_llama_head().intersected(bubble))
    painter.setBrush(QColor("#ffffff"))
    painter.drawEllipse(QPointF(560, 405), 22, 22)  # the eye
    painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")


def _llama_head() -> QPainterPath:
    """A llama's head and neck in profile, facing right, rising from the bubble's lower edge."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPainterPath

    head = QPainterPath()
    head.moveTo(QPointF(430, 700))  # back of the neck, at the bubble's lower edge
    head.cubicTo(QPointF(430, 540), QPointF(450, 420), QPointF(490, 370))
    head.lineTo(QPointF(478, 270))  # back ear
    head.quadTo(QPointF(505, 285), QPointF(522, 340))
    head.lineTo(QPointF(540, 262))  # front ear
    head.quadTo(QPointF(566, 290), QPointF(572, 350))
    head.cubicTo(QPointF(640, 360), QPointF(690, 390), QPointF(700, 430))  # brow to snout
    head.cubicTo(QPointF(708, 465), QPointF(680, 488), QPointF(640, 482))  # muzzle
    head.cubicTo(QPointF(600, 478), QPointF(575, 490), QPointF(565, 530))  # jaw
    head.cubicTo(QPointF(555, 590), QPointF(560, 650), QPointF(572, 700))  # throat
    head.closeSubpath()
    return head


def derive(source: Path) -> None:
    """Write every size and format from the source image."""
    image = Image.open(source).convert("RGBA")
    if image.size != (SOURCE_SIZE, SOURCE_SIZE):
        raise SystemExit(f"{source} must be {SOURCE_SIZE}×{SOURCE_SIZE}, not {image.size}")
    PACKAGE_ICONS.mkdir(parents=True, exist_ok=True)
    for size in PNG_SIZES:
        png = ICONS / f"llamadesk-{size}.png"
        image.resize((size, size), Image.Resampling.LANCZOS).save(png, optimize=True)
        if size in PACKAGE_SIZES:
            shutil.copyfile(png, PACKAGE_ICONS / png.name)
    image.save(ICONS / "llamadesk.ico", sizes=[(s, s) for s in ICO_SIZES])
    image.save(ICONS / "llamadesk.icns")  # Pillow writes every ICNS size from 16 to 1024
    _preview(image)


def _preview(image: Image.Image) -> None:
    """The sizes side by side on a light and a dark strip, as a launcher would show them."""
    sizes = (16, 24, 32, 48, 64, 128, 256)
    gap = 24
    width = sum(sizes) + gap * (len(sizes) + 1)
    strip = max(sizes) + 2 * gap
    sheet = Image.new("RGBA", (width, 2 * strip), "#fafafa")
    ImageDraw.Draw(sheet).rectangle((0, strip, width, 2 * strip), fill="#1d1d22")
    for row in range(2):
        x = gap
        for size in sizes:
            icon = image.resize((size, size), Image.Resampling.LANCZOS)
            top = row * strip + gap + (max(sizes) - size) // 2
            sheet.alpha_composite(icon, (x, top))
            x += size + gap
    PREVIEW.parent.mkdir(parents=True, exist_ok=True)
    sheet.convert("RGB").save(PREVIEW, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", action="store_true", help="redraw the source image first")
    args = parser.parse_args()
    if args.draw:
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication.instance() or QGuiApplication(
            ["make_icons", "-platform", "offscreen"]
        )
        draw_source(SOURCE)
        del app
    derive(SOURCE)
    print(f"Icons written to {ICONS} and {PACKAGE_ICONS}; preview: {PREVIEW}")


if __name__ == "__main__":
    main()
