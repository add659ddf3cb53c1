"""Plot data and the one place that draws it: every derivation's figures go through this module.

Systems return :class:`Figure` objects — curves (:class:`CurvePanel` of :class:`Series`) and 2-D
maps (:class:`MapPanel`, with an optional validity mask) with labelled axes and units — and
:func:`draw` renders them with one style. Colour maps are perceptually uniform and monotonic in
lightness (``cividis``, ``viridis``), so maps survive greyscale printing; curves cycle through
line styles as well as colours for the same reason. Drawing uses Matplotlib's object interface
with the Agg canvas, so no global backend is selected and no pyplot state is touched.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> x = np.linspace(0, 1, 5)
>>> panel = CurvePanel(Axis("time", "s"), Axis("population"), (Series(x, x**2, "p"),))
>>> path = draw(Figure("demo", "a curve", (panel,)), pathlib.Path(tempfile.mkdtemp()))
>>> path.name
'demo.png'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

from qderive.symbolic import QderiveError

LINE_STYLES = ("-", "--", "-.", ":")
SEQUENTIAL_MAP = "cividis"
STYLE = {"font.size": 9, "axes.grid": True, "grid.alpha": 0.3}


@dataclass(frozen=True)
class Axis:
    """An axis: what is plotted, its unit (empty when dimensionless) and whether it is logarithmic.

    Examples
    --------
    >>> Axis("detuning", "rad/s", log=True).log
    True
    """

    label: str
    unit: str = ""
    log: bool = False

    @property
    def text(self) -> str:
        """The axis label with its unit in parentheses (the label alone when dimensionless).

        Examples
        --------
        >>> Axis("time", "s").text, Axis("population").text
        ('time (s)', 'population')
        """
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass(frozen=True)
class Series:
    """One curve; ``points=True`` draws markers only (e.g. full-model checks on an analytic curve).

    Examples
    --------
    >>> Series([0, 1, 2], [0.0, 1.0, 4.0], "x^2").y.dtype.name
    'float64'
    >>> Series([0, 1], [0.0], "bad")
    Traceback (most recent call last):
    ...
    qderive.errors.QderiveError: series 'bad': x (2,) and y (1,) must be equal 1-D shapes
    """

    x: np.ndarray
    y: np.ndarray
    label: str = ""
    points: bool = False

    def __post_init__(self) -> None:
        x, y = np.asarray(self.x, dtype=float), np.asarray(self.y, dtype=float)
        if x.shape != y.shape or x.ndim != 1:
            raise QderiveError(f"series '{self.label}': x {x.shape} and y {y.shape} must be equal 1-D shapes")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)


@dataclass(frozen=True)
class CurvePanel:
    """Curves sharing two axes; ``reference_lines`` are horizontal lines ``(y, label)``.

    Examples
    --------
    >>> x = np.linspace(0, 1, 5)
    >>> curve = Series(x, np.exp(-x), "exact")
    >>> panel = CurvePanel(Axis("t", "s"), Axis("P_e"), (curve,), reference_lines=((0.5, "half"),))
    >>> ax = render(Figure("decay", "", (panel,))).axes[0]
    >>> len(ax.lines), ax.get_xlabel()  # the curve and the reference line
    (2, 't (s)')
    """

    x_axis: Axis
    y_axis: Axis
    series: tuple[Series, ...]
    title: str = ""
    reference_lines: tuple[tuple[float, str], ...] = ()


@dataclass(frozen=True)
class MapPanel:
    """A 2-D map ``values[i, j]`` at ``(x[j], y[i])``; ``valid`` masks points where the map is not meaningful.

    ``contours`` are levels drawn as lines on top (e.g. the edge of a region).

    Examples
    --------
    >>> x, y = np.linspace(0, 1, 3), np.linspace(0, 2, 4)
    >>> panel = MapPanel(Axis("x"), Axis("y"), Axis("f"), x, y, np.add.outer(y, x), valid=np.add.outer(y, x) < 2)
    >>> panel.values.shape
    (4, 3)
    >>> MapPanel(Axis("x"), Axis("y"), Axis("f"), x, y, np.zeros((3, 4)), title="transposed")
    Traceback (most recent call last):
    ...
    qderive.errors.QderiveError: map 'transposed': values have shape (3, 4), expected (len(y), len(x)) = (4, 3)
    """

    x_axis: Axis
    y_axis: Axis
    value_axis: Axis
    x: np.ndarray
    y: np.ndarray
    values: np.ndarray
    valid: np.ndarray | None = None
    title: str = ""
    contours: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=float)
        if values.shape != (len(self.y), len(self.x)):
            raise QderiveError(
                f"map '{self.title}': values have shape {values.shape}, expected (len(y), len(x)) = "
                f"({len(self.y)}, {len(self.x)})"
            )
        object.__setattr__(self, "values", values)


Panel = CurvePanel | MapPanel


@dataclass(frozen=True)
class Figure:
    """A named figure (file stem ``name``) of panels, side by side or in rows of ``columns``.

    Examples
    --------
    >>> Figure("fig 1", "", ())
    Traceback (most recent call last):
    ...
    qderive.errors.QderiveError: figure name must be letters, digits, '_' or '-', got 'fig 1'
    """

    name: str
    title: str
    panels: tuple[Panel, ...]
    caption: str = ""
    columns: int = 0

    def __post_init__(self) -> None:
        if not self.name or not all(c.isalnum() or c in "_-" for c in self.name):
            raise QderiveError(f"figure name must be letters, digits, '_' or '-', got {self.name!r}")


def _draw_curves(ax, panel: CurvePanel) -> None:
    for k, series in enumerate(panel.series):
        if series.points:
            ax.plot(series.x, series.y, "o", ms=4, mfc="none", label=series.label or None)
        else:
            ax.plot(series.x, series.y, LINE_STYLES[k % len(LINE_STYLES)], label=series.label or None)
    for level, label in panel.reference_lines:
        ax.axhline(level, color="k", ls="--", lw=0.8, label=label or None)
    if any(s.label for s in panel.series) or panel.reference_lines:
        ax.legend(fontsize=7)


def _draw_map(fig: MplFigure, ax, panel: MapPanel) -> None:
    values = np.ma.masked_array(panel.values, mask=None if panel.valid is None else ~np.asarray(panel.valid))
    image = ax.pcolormesh(panel.x, panel.y, values, cmap=SEQUENTIAL_MAP, shading="auto")
    fig.colorbar(image, ax=ax, label=panel.value_axis.text)
    if panel.contours:
        ax.contour(panel.x, panel.y, panel.values, levels=sorted(panel.contours), colors="w", linewidths=0.8)
    ax.grid(False)


def render(figure: Figure) -> MplFigure:
    """The Matplotlib figure of ``figure`` (not saved).

    Examples
    --------
    >>> x = np.linspace(1, 10, 4)
    >>> curve = CurvePanel(Axis("x", log=True), Axis("y"), (Series(x, x),))
    >>> grid = MapPanel(Axis("x"), Axis("y"), Axis("f"), x, x, np.outer(x, x))
    >>> fig = render(Figure("two", "two panels", (curve, grid, curve), columns=2))
    >>> visible = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    >>> len(visible), visible[0].get_xscale(), fig.get_suptitle()  # 3 panels in 2 columns; the 4th cell hidden
    (3, 'log', 'two panels')
    """
    from matplotlib import rc_context

    with rc_context(STYLE):
        columns = figure.columns or len(figure.panels)
        rows = -(-len(figure.panels) // columns)
        fig = MplFigure(figsize=(4.6 * columns, 3.8 * rows))
        FigureCanvasAgg(fig)
        axes = fig.subplots(rows, columns, squeeze=False).ravel()
        for ax in axes[len(figure.panels):]:
            ax.set_visible(False)
        for ax, panel in zip(axes, figure.panels, strict=False):
            if isinstance(panel, MapPanel):
                _draw_map(fig, ax, panel)
            else:
                _draw_curves(ax, panel)
            ax.set_xlabel(panel.x_axis.text)
            ax.set_ylabel(panel.y_axis.text)
            ax.set_xscale("log" if panel.x_axis.log else "linear")
            ax.set_yscale("log" if panel.y_axis.log else "linear")
            if panel.x_axis.log:  # a log axis spanning about a decade labels its minor ticks: keep them apart
                ax.tick_params(axis="x", which="minor", labelsize=7, labelrotation=45)
            if panel.title:
                ax.set_title(panel.title, fontsize=9)
        if figure.title:
            fig.suptitle(figure.title, fontsize=10)
        fig.tight_layout()
    return fig


def draw(figure: Figure, folder: Path, dpi: int = 120) -> Path:
    """Write ``folder/<name>.png`` (to a temporary name, then renamed) and return its path.

    Examples
    --------
    >>> import tempfile
    >>> x = np.linspace(0, 1, 3)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = draw(Figure("line", "", (CurvePanel(Axis("x"), Axis("y"), (Series(x, x),)),)), Path(folder))
    ...     print(path.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n", oct(path.stat().st_mode & 0o777))
    True 0o644
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{figure.name}.png"
    handle, temporary = tempfile.mkstemp(prefix=f".{figure.name}-", suffix=".png", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            render(figure).savefig(stream, format="png", dpi=dpi)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a figure is for reading
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def draw_all(figures: Sequence[Figure], folder: Path) -> list[Path]:
    """Draw every figure into ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> x = np.linspace(0, 1, 3)
    >>> figures = [Figure(name, "", (CurvePanel(Axis("x"), Axis("y"), (Series(x, x),)),)) for name in ("a", "b")]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = draw_all(figures, Path(folder))
    ...     print([p.name for p in paths], sorted(p.name for p in Path(folder).iterdir()))  # no temporary files left
    ['a.png', 'b.png'] ['a.png', 'b.png']
    """
    return [draw(figure, folder) for figure in figures]
