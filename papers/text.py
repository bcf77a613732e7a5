"""Imported titles and abstracts shown readably and safely: escaped first, then only our own tags
added (<em>, <strong>, <span class="math">); known TeX commands become Unicode, no JavaScript."""

import re
from urllib.parse import urlsplit

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

TEX_SYMBOLS = {
    # Greek, lower and upper case
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ",
    "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ",
    "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # relations, operators, arrows
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "sim": "∼",
    "simeq": "≃", "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫", "in": "∈", "notin": "∉",
    "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "times": "×", "cdot": "·", "pm": "±",
    "mp": "∓", "div": "÷", "ast": "∗", "circ": "∘", "infty": "∞", "partial": "∂", "nabla": "∇",
    "sum": "∑", "prod": "∏", "int": "∫", "sqrt": "√", "to": "→", "rightarrow": "→", "leftarrow": "←",
    "Rightarrow": "⇒", "Leftrightarrow": "⇔", "mapsto": "↦", "forall": "∀", "exists": "∃",
    "neg": "¬", "land": "∧", "lor": "∨", "emptyset": "∅", "ell": "ℓ", "dots": "…", "ldots": "…",
    "cdots": "⋯", "log": "log", "exp": "exp", "min": "min", "max": "max", "sin": "sin", "cos": "cos",
    "mathbb": "", "mathcal": "", "mathrm": "", "mathbf": "", "text": "", "operatorname": "",
    "left": "", "right": "", ",": " ", ";": " ", "!": "", "quad": " ", "%": "%", "&amp;": "&amp;",
}  # fmt: skip
SUPERSCRIPTS = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")

# Pandoc's rule for inline math: the opening $ is followed by a non-space, the closing $ follows a
# non-space and is not followed by a digit, so "costs $5 and $10" stays plain text.
MATH_RE = re.compile(r"(?<![\\$])\$(?=\S)((?:[^$\\]|\\.)+?)(?<=\S)(?<!\\)\$(?!\d)")
TEX_COMMAND_RE = re.compile(r"\\([A-Za-z]+|[,;!%]|&amp;)")
SCRIPT_RE = re.compile(r"([\^_])(?:\{([^{}]*)\}|([0-9A-Za-z+\-=()]))")
BRACES_RE = re.compile(r"[{}]")
# What emphasis may enclose: text or whole math spans, never half a tag, so our tags nest.
INLINE = r"(?:[^<]|<span class=\"math\">[^<]*</span>)"
TEX_EMPH_RE = re.compile(r"\\(?:emph|textit)\{((?:[^{}<]|<span class=\"math\">[^<]*</span>)*)\}")
TEX_BOLD_RE = re.compile(r"\\textbf\{((?:[^{}<]|<span class=\"math\">[^<]*</span>)*)\}")
# Markdown-style emphasis: the stars hug their text and do not sit inside a word (a*b*c stays).
STRONG_RE = re.compile(rf"(?<![\w*])\*\*(?=\S)({INLINE}+?)(?<=\S)\*\*(?![\w*])")
EMPH_RE = re.compile(rf"(?<![\w*])\*(?=[^\s*])({INLINE}+?)(?<=[^\s*])\*(?![\w*])")


def _script(match: re.Match) -> str:
    body = match[2] if match[2] is not None else match[3]
    table = SUPERSCRIPTS if match[1] == "^" else SUBSCRIPTS
    converted = body.translate(table)
    # Unicode only when every character has one; otherwise keep ^{…} readable.
    if all(ch != orig or not ch.strip() for ch, orig in zip(converted, body, strict=True)):
        return converted
    return f"{match[1]}{body}" if len(body) == 1 else f"{match[1]}({body})"


def _math_text(tex: str) -> str:
    """Escaped TeX from between $…$ as readable text: known commands to Unicode, braces dropped."""
    text = TEX_COMMAND_RE.sub(lambda m: TEX_SYMBOLS.get(m[1], m[0]), tex)
    text = SCRIPT_RE.sub(_script, text)
    return BRACES_RE.sub("", text)


def _render(value, *, markup: bool) -> str:
    text = str(conditional_escape("" if value is None else value))  # escape FIRST; everything below is ours
    # Every pattern below needs one of these, and most titles and abstracts have none.
    if "$" not in text and "\\" not in text and "*" not in text:
        return text
    if markup:
        text = MATH_RE.sub(lambda m: f'<span class="math">{_math_text(m[1])}</span>', text)
        text = TEX_EMPH_RE.sub(r"<em>\1</em>", text)
        text = TEX_BOLD_RE.sub(r"<strong>\1</strong>", text)
        text = STRONG_RE.sub(r"<strong>\1</strong>", text)
        text = EMPH_RE.sub(r"<em>\1</em>", text)
    else:
        text = MATH_RE.sub(lambda m: _math_text(m[1]), text)
        text = TEX_EMPH_RE.sub(r"\1", text)
        text = TEX_BOLD_RE.sub(r"\1", text)
        text = STRONG_RE.sub(r"\1", text)
        text = EMPH_RE.sub(r"\1", text)
    return text


def rich_text(value) -> str:
    """Escaped text with *emphasis*, **strong**, \\emph{…} and $math$ shown as such."""
    return mark_safe(_render(value, markup=True))  # noqa: S308 (escaped first, then only our own tags)  # nosec B308 B703


def plain_text(value) -> str:
    """The same text without tags, for <title> and breadcrumbs: `PixArt-$\\alpha$` -> PixArt-α."""
    return mark_safe(_render(value, markup=False))  # noqa: S308 (escaped, no tags added)  # nosec B308 B703


def split_abstract(value: str, length: int = 500) -> tuple[str, str]:
    """(shown, folded): a long abstract split at the first sentence end after `length` characters;
    none under 1.5 x length, where a fold would hide two lines."""
    value = value or ""
    if len(value) < length * 3 // 2:
        return value, ""
    cut = value.find(". ", length)
    if cut == -1 or cut > len(value) - length // 4:
        return value, ""
    return value[: cut + 1], value[cut + 2 :]


def safe_href(url: str) -> str:
    """The URL if it is http(s), else empty: escaping alone does not stop a javascript: link."""
    url = (url or "").strip()
    return url if urlsplit(url).scheme.lower() in ("http", "https") else ""
