"""Every theme stays readable, and its node states stay apart for colour-blind readers.

Colour vision deficiency is simulated with the matrices of Machado, Oliveira and
Fernandes (2009, "A physiologically-based model for simulation of color vision
deficiency"), severity 1.0, applied to linear RGB. Colour differences are CIE76
distances in CIELAB (about 2.3 is just noticeable; 10 is plain at a glance), and
text contrast is WCAG 2's ratio (4.5 for normal text).
"""

from __future__ import annotations

import itertools
import math

import pytest

from viz.themes import LEGEND, STATES, THEMES, Theme, get_theme, mix

SIMULATIONS = {
    "normal vision": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}
MIN_STATE_DISTANCE = 10.0
MIN_TEXT_CONTRAST = 4.5


def linear(color: str) -> tuple[float, float, float]:
    """'#rrggbb' as linear-light RGB in 0..1 (the sRGB curve undone)."""
    out = []
    for i in (1, 3, 5):
        c = int(color[i : i + 2], 16) / 255
        out.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return out[0], out[1], out[2]


def lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    """Linear RGB (D65) as CIELAB."""
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def seen(color: str, simulation: str) -> tuple[float, float, float]:
    m = SIMULATIONS[simulation]
    rgb = linear(color)
    row = [min(1.0, max(0.0, sum(m[i][j] * rgb[j] for j in range(3)))) for i in range(3)]
    return lab((row[0], row[1], row[2]))


def distance(a: str, b: str, simulation: str) -> float:
    return math.dist(seen(a, simulation), seen(b, simulation))


def contrast(a: str, b: str) -> float:
    def luminance(color: str) -> float:
        r, g, b = linear(color)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_helpers_agree_with_known_values() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert seen("#FFFFFF", "normal vision") == pytest.approx((100.0, 0.0, 0.0), abs=0.05)
    # pure red and green, far apart normally, nearly merge for a deuteranope
    assert distance("#FF0000", "#00FF00", "normal vision") > 80
    assert distance("#CC3311", "#669900", "deuteranopia") < 25


@pytest.mark.parametrize("name", sorted(THEMES))
@pytest.mark.parametrize("simulation", sorted(SIMULATIONS))
def test_step_states_stay_apart_under_colour_blindness(name: str, simulation: str) -> None:
    theme = THEMES[name]
    for a, b in itertools.combinations(STATES, 2):
        gap = distance(theme.states[a].fill, theme.states[b].fill, simulation)
        assert gap >= MIN_STATE_DISTANCE, f"{name}: {a!r} vs {b!r} {gap:.1f} ({simulation})"


@pytest.mark.parametrize("name", sorted(THEMES))
def test_states_differ_in_border_too_not_only_in_colour(name: str) -> None:
    looks = THEMES[name].states
    # dotted, solid dark, dashed, and no visible border (its colour is its fill)
    kinds = {(look.border_style, look.border == look.fill) for look in looks.values()}
    assert len(kinds) == len(STATES)
    assert set(LEGEND) == {"leaf", *STATES}


@pytest.mark.parametrize("name", sorted(THEMES))
def test_every_text_colour_is_readable_on_every_fill(name: str) -> None:
    theme = THEMES[name]
    fills = [look.fill for look in theme.states.values()]
    fills += [theme.background, theme.value_fill, theme.leaf_fill, theme.root_fill]
    for text in (theme.text, theme.data, theme.grad):
        for fill in fills:
            ratio = contrast(text, fill)
            assert ratio >= MIN_TEXT_CONTRAST, f"{name}: {text} on {fill}: {ratio:.2f}"


@pytest.mark.parametrize("name", sorted(THEMES))
@pytest.mark.parametrize("simulation", ["normal vision", "protanopia", "deuteranopia"])
def test_the_first_three_class_regions_stay_apart(name: str, simulation: str) -> None:
    # Okabe-Ito's palette is made for red-green deficiencies; under tritanopia its blue
    # and bluish green come close, which the markers' shapes (o, s, ^) make up for.
    theme = THEMES[name]
    tints = [mix(c, theme.region_share, theme.background) for c in theme.classes[:3]]
    for a, b in itertools.combinations(tints, 2):
        assert distance(a, b, simulation) >= 8.0, f"{name}: {a} vs {b} ({simulation})"


def test_unknown_theme_names_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown theme 'neon' \\(expected one of light, dark"):
        get_theme("neon")
    assert isinstance(get_theme(THEMES["dark"]), Theme)
