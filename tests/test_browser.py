"""What annotators see, in a real browser: headless Chromium (Debian's `chromium`, or whichever Chromium the
machine has) driven by Playwright against the Label Studio the suite starts (fixture `studio`).

The seeds are pre-annotated and pushed as `vner preannotate` and `vner studio push` do it, then a browser logs in
and checks the Data Manager view (columns, least sure first), the instructions and label hints, that every
pre-annotated highlight sits on exactly the characters of its prediction, and that a region drawn with the mouse
comes back from `vner studio pull` on exactly the selected characters (and into the dataset, trimmed).
Screenshots are saved under out/test-artifacts/browser/ (the path is printed at the end of the run).

No browser is downloaded: Playwright drives the installed Chromium through `executable_path`. Without one the
tests skip locally, saying how to get it, and fail under CI=true (`.ci/run` installs Debian's chromium).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from annotation.export import load_export
from annotation.schema import ENTITY_DESCRIPTIONS
from annotation.studio.client import VIEW_COLUMNS, VIEW_TITLE, StudioClient
from vner.cli import main

pytestmark = pytest.mark.studio
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "out" / "test-artifacts" / "browser"
PROJECT = "vner browser"
# Headless, as root, on a machine whose only network is loopback: no sandbox, no GPU, no background traffic.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
HOW_TO_GET_ONE = (
    "install Chromium and Playwright: `apt-get install -y chromium` (Debian/Ubuntu; or set "
    "VNER_CHROMIUM to any Chromium binary) and `pip install -e '.[dev]'`; no browser download needed"
)
MISSED_ENTITY = (
    "Trung tâm thương mại số 44"  # text no pre-annotation covers (seed 002: the rules tag only "Marywilska")
)
TIMEOUT_MS = 60_000  # a page of a busy 2-core machine


def find_chromium() -> str | None:
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    for name in (os.environ.get("VNER_CHROMIUM"), *names):
        if name and (path := shutil.which(name)):
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    exe = find_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        exe, missing = None, "Playwright is not installed"
    else:
        missing = "no Chromium found on PATH"
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {missing}; {HOW_TO_GET_ONE}", pytrace=False)
        pytest.skip(f"{missing}: {HOW_TO_GET_ONE}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def artifacts(request):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    yield ARTIFACTS
    shots = sorted(ARTIFACTS.glob("*.png"))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if shots and reporter is not None:
        reporter.write_line(f"\nbrowser screenshots ({len(shots)}): {ARTIFACTS}")


@pytest.fixture(scope="module")
def pushed(studio, tmp_path_factory):
    """The seeds, pre-annotated and pushed as a user does it; each task with its Label Studio id."""
    root = tmp_path_factory.mktemp("browser")
    tasks_file = root / "tasks.json"
    assert main(["preannotate", str(REPO / "seeds"), "-o", str(tasks_file)]) == 0
    assert (
        main(["studio", "push", str(tasks_file), "--project", PROJECT, "--url", studio.url, "--api-key", studio.token])
        == 0
    )
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    client = StudioClient(studio.url, studio.token)
    pid = client.project_id(PROJECT)
    views = client.sdk.views.list(project=pid)
    assert [v.data["title"] for v in views] == [VIEW_TITLE]  # the push set the new project up
    ids = {
        t["data"]["task_key"]: t["id"]
        for page, _ in client.iter_task_pages(pid, include="id,data", page_size=500)
        for t in page
    }
    for t in tasks:
        t["id"] = ids[t["data"]["task_key"]]
    return {"project": pid, "tasks": tasks, "root": root}


@pytest.fixture(scope="module")
def page(browser, studio, pushed):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    pg.goto(f"{studio.url}/user/login/")
    pg.fill("input[name=email]", studio.username)
    pg.fill("input[name=password]", studio.password)
    pg.click("button[type=submit]")
    pg.wait_for_url(lambda url: "/user/login" not in url)
    yield pg
    context.close()


def score(task: dict) -> float:
    return task["predictions"][0]["score"]


def regions(task: dict) -> list[tuple[int, int, str, str]]:
    return sorted(
        (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0], r["value"]["text"])
        for r in task["predictions"][0]["result"]
    )


def test_the_data_manager_opens_on_vners_view_least_sure_first(page, studio, pushed, artifacts):
    page.goto(f"{studio.url}/projects/{pushed['project']}/data")
    page.wait_for_selector("[data-testid=table-row]")
    assert page.get_by_text(VIEW_TITLE, exact=True).first.is_visible()
    columns = page.eval_on_selector_all(".lsf-th[data-id]", "els => els.map(e => e.dataset.id)")
    assert set(columns) == set(VIEW_COLUMNS["explore"]), columns  # text, score, counts; no vner, task_key, unit
    rows = page.eval_on_selector_all(
        "[data-testid=table-row]", "rows => rows.map(r => r.querySelectorAll('.lsf-table__cell')[1].textContent)"
    )
    by_id = {t["id"]: t for t in pushed["tasks"]}
    shown = [score(by_id[int(r)]) for r in rows]
    assert len(shown) >= 8
    # the rows shown are the least sure tasks, in order (ties in any order)
    assert shown == sorted(score(t) for t in pushed["tasks"])[: len(shown)]
    assert [t["id"] for t in sorted(pushed["tasks"], key=lambda t: t["id"])][: len(shown)] != [int(r) for r in rows]
    page.screenshot(path=str(artifacts / "data-manager.png"))


def test_labeling_opens_with_the_instructions_then_the_least_sure_task(page, studio, pushed, artifacts):
    from playwright.sync_api import expect

    page.goto(f"{studio.url}/projects/{pushed['project']}/data")
    page.get_by_role("button", name="Label All Tasks").click()
    instructions = page.locator(".vner-instructions")
    expect(instructions).to_be_visible()
    shown = instructions.inner_text()
    assert "hard case" in shown and "Thủ tướng Nhật Bản Fumio Kishida" in shown
    page.screenshot(path=str(artifacts / "instructions.png"))
    page.keyboard.press("Escape")
    expect(instructions).to_be_hidden()
    page.wait_for_selector(".lsf-richtext__container")
    text = page.locator(".lsf-richtext__container").first.text_content()  # waits for the editor to settle
    least = min(score(t) for t in pushed["tasks"])
    assert text in [t["data"]["text"] for t in pushed["tasks"] if score(t) == least]
    # each label shows its hint from the schema on hover, and its hotkey 1-4
    for k, (label, hint) in enumerate(reversed(ENTITY_DESCRIPTIONS.items())):
        button = page.locator(".lsf-label", has_text=label).first
        assert button.locator(".lsf-label__hotkey").inner_text() == str(len(ENTITY_DESCRIPTIONS) - k)
        button.hover()
        expect(page.get_by_text(hint, exact=True)).to_be_visible()
    page.wait_for_timeout(800)  # the tooltip fades in: let the screenshot catch it (cosmetic, asserts nothing)
    page.screenshot(path=str(artifacts / "labeling.png"))  # PER's hint showing (docs/annotator-view.png)


def chosen_tasks(tasks: list[dict]) -> dict[str, dict]:
    """A piece of a long segmented seed, a raw web paragraph, and the task with the most regions."""
    segmented = next(t for t in tasks if t["data"]["doc_id"].startswith("000_") and t["data"].get("part") == 0)
    raw = max((t for t in tasks if t["data"]["doc_id"].startswith("004_")), key=lambda t: len(regions(t)))
    rest = [t for t in tasks if t not in (segmented, raw)]
    return {"segmented": segmented, "raw": raw, "many": max(rest, key=lambda t: len(regions(t)))}


@pytest.mark.parametrize("kind", ["segmented", "raw", "many"])
def test_every_highlight_sits_on_the_characters_of_its_prediction(page, studio, pushed, artifacts, kind):
    from playwright.sync_api import expect

    task = chosen_tasks(pushed["tasks"])[kind]
    expected = regions(task)
    assert expected, task["data"]["task_key"]
    page.goto(f"{studio.url}/projects/{pushed['project']}/data?task={task['id']}")
    expect(page.locator(".htx-highlight")).to_have_count(len(expected))
    text = page.locator(".lsf-richtext__container").first.text_content()  # waits for the editor to settle
    assert text == task["data"]["text"]  # natural text: no `_`, NFC diacritics, nothing added
    found = page.eval_on_selector_all(
        ".htx-highlight", "els => els.map(e => [+e.dataset.start, +e.dataset.end, e.dataset.label, e.textContent])"
    )
    got = sorted((s, e, label.split(":")[-1], shown) for s, e, label, shown in found)
    assert got == expected
    page.screenshot(path=str(artifacts / f"task-{kind}.png"))


# The screen position of characters [start, end) of the task text: walk the editor's text nodes.
CHAR_RECTS = """([start, end]) => {
  const root = document.querySelector('.lsf-richtext__container');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const want = [start, end - 1], out = [null, null];
  let pos = 0, node;
  while ((node = walker.nextNode())) {
    const n = node.textContent.length;
    want.forEach((off, k) => {
      if (out[k] === null && off >= pos && off < pos + n) {
        const r = document.createRange();
        r.setStart(node, off - pos);
        r.setEnd(node, off - pos + 1);
        const b = r.getBoundingClientRect();
        out[k] = {x: k ? b.right - 1 : b.left + 1, y: (b.top + b.bottom) / 2};
      }
    });
    pos += n;
  }
  return out;
}"""


def test_a_region_drawn_with_the_mouse_comes_back_from_pull_on_exactly_its_characters(
    page, studio, pushed, artifacts, tmp_path, capsys
):
    from playwright.sync_api import expect

    task = next(t for t in pushed["tasks"] if MISSED_ENTITY in t["data"]["text"])
    text = task["data"]["text"]
    start = text.index(MISSED_ENTITY)
    assert text[start - 1] == " " and not any(
        s < start + len(MISSED_ENTITY) and start - 1 < e for s, e, _, _ in regions(task)
    )
    page.goto(f"{studio.url}/projects/{pushed['project']}/data?task={task['id']}")
    expect(page.locator(".htx-highlight")).to_have_count(len(regions(task)))
    page.locator(".lsf-label", has_text="LOC").first.click()
    # a sloppy drag, as annotators make them: from the space before the name to its last letter
    a, z = page.evaluate(CHAR_RECTS, [start - 1, start + len(MISSED_ENTITY)])
    page.mouse.move(a["x"], a["y"])
    page.mouse.down()
    page.mouse.move(z["x"], z["y"], steps=12)
    page.mouse.up()
    expect(page.locator(".htx-highlight")).to_have_count(len(regions(task)) + 1)
    page.screenshot(path=str(artifacts / "drawn-region.png"))
    with page.expect_response(lambda r: r.request.method == "POST" and "/annotations" in r.url) as answer:
        page.get_by_role("button", name="Submit").click()
    assert answer.value.status == 201

    export = tmp_path / "export.json"
    assert (
        main(
            ["studio", "pull", "--project", PROJECT, "-o", str(export), "--url", studio.url, "--api-key", studio.token]
        )
        == 0
    )
    pulled = next(t for t in json.loads(export.read_text(encoding="utf-8")) if t["id"] == task["id"])
    drawn = [r["value"] for r in pulled["annotations"][0]["result"] if MISSED_ENTITY in r["value"]["text"]]
    assert drawn == [
        {"start": start - 1, "end": start + len(MISSED_ENTITY), "text": " " + MISSED_ENTITY, "labels": ["LOC"]}
    ]
    # the dataset takes the name without the space, and says it trimmed one span
    result = load_export(export)
    example = next(ex for ex in result.examples if MISSED_ENTITY in ex["text"])
    from annotation.dataset import example_spans

    assert (MISSED_ENTITY, "LOC") in [(example["text"][s.start : s.end], s.label) for s in example_spans(example)]
    assert result.stats["trimmed_spans"] == 1
    capsys.readouterr()
    assert main(["dataset", str(export), "-o", str(tmp_path / "dataset")]) == 0
    assert "spans: 1 trimmed of surrounding whitespace" in capsys.readouterr().out
