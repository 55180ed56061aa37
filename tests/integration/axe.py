"""An automated accessibility check (axe-core from the npm registry, injected from
disk by the browser tests; `make test` fetches it to var/a11y/axe.min.js)."""

from __future__ import annotations

from bot.paths import PROJECT_ROOT

AXE_JS = PROJECT_ROOT / "var" / "a11y" / "axe.min.js"
SERIOUS = ("serious", "critical")


def serious_violations(page, context: str | None = None) -> list[str]:
    """axe's WCAG 2.1 A/AA rules on the page as it is now (or the part matching the
    CSS selector `context`); one readable line per serious or critical violation."""
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `make {AXE_JS.relative_to(PROJECT_ROOT)}`")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the pages' strict Content-Security-
        # Policy (no inline scripts) stays as it is for the check.
        page.evaluate("source => { (0, eval)(source); }", AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (context) => await axe.run(context || document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""",
        context,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
