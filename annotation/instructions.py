"""Label Studio project instructions, generated from the one source: `annotation/guidelines.md`.

The guidelines hold a short section written for the labeling screen, `## Summary for annotators` (the types,
the hard cases, a checklist); `instructions_html` renders it (CommonMark with tables, raw HTML off) for the
project's `expert_instruction`, which Label Studio shows before labeling when `show_instruction` is on. Edit
the guidelines, push with `vner studio push --setup-project`, and annotators see the new text.
"""

from __future__ import annotations

from pathlib import Path

from .errors import VnerError

GUIDELINES = Path(__file__).with_name("guidelines.md")
SUMMARY_HEADING = "## Summary for annotators"


def summary_markdown(path: str | Path = GUIDELINES) -> str:
    """The summary section of the guidelines: from its heading (excluded) to the next `## ` heading, without
    HTML comments."""
    import re

    path = Path(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    try:
        start = lines.index(SUMMARY_HEADING) + 1
    except ValueError:
        raise VnerError(f"{path}: no `{SUMMARY_HEADING}` section; the project instructions are made from it.") from None
    end = next((k for k in range(start, len(lines)) if lines[k].startswith("## ")), len(lines))
    text = re.sub(r"<!--.*?-->", "", "\n".join(lines[start:end]), flags=re.S).strip()
    if not text:
        raise VnerError(f"{path}: the `{SUMMARY_HEADING}` section is empty.")
    return text


# Label Studio keeps a `<style>` element but strips `style` attributes (its HTML cleaner), and its modal resets
# list and table styles: the look comes from rules scoped to this block. Raw HTML in the Markdown is escaped,
# so the summary cannot inject markup of its own.
STYLE = """<style>
.vner-instructions ul { list-style: disc; padding-left: 1.5em; margin: 0.5em 0; }
.vner-instructions p { margin: 0.5em 0; }
.vner-instructions table { border-collapse: collapse; margin: 0.5em 0; }
.vner-instructions th, .vner-instructions td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; }
.vner-instructions code { font-family: inherit; background: rgba(127, 127, 127, 0.15); padding: 0 2px; }
</style>"""


def instructions_html(path: str | Path = GUIDELINES) -> str:
    """The summary as HTML for Label Studio's `expert_instruction` (raw HTML in the source is escaped)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(summary_markdown(path))
    return f'<div class="vner-instructions">\n{STYLE}\n<h3>vner annotation guidelines: summary</h3>\n{body}</div>\n'
