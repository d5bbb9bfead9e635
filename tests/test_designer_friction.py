"""Issue 17 item 12, the designer's friction a new user met, in Debian's Chromium through
Playwright (as tests/test_designer.py, whose served copy of the layouts and fixtures these use):
Ctrl+Z right after a property edit, the status bar after an undo, a drop near the page's edge."""
from __future__ import annotations

from test_designer import Designer, Project, browser, designer, project  # noqa: F401  (fixtures)

BIRTH = "      - {type: field, id: birth, x: 21.5, y: 18.4, w: 36, h: 4.2, size: 7, value: \"{birth_date:wareki}\"}"


def test_item12_ctrl_z_in_a_property_box_just_saved_undoes_the_file(designer: Designer, project: Project) -> None:
    """Ctrl+Z with the cursor still in the box undid the browser's text box (x showed 21.5 again)
    while the file kept x: 30, and the panel disagreed with the file."""
    designer.tab.click("#element-list li.item[data-name=birth]")
    designer.tab.wait_for_selector("#prop-x")
    designer.tab.click("#prop-x")
    designer.tab.keyboard.press("Control+a")
    designer.tab.keyboard.type("30")
    designer.tab.keyboard.press("Enter")
    designer.wait_saved(1)
    assert project.element(0, "birth")["x"] == 30
    assert designer.tab.evaluate("() => document.activeElement.id") == "prop-x"
    designer.tab.keyboard.press("Control+z")
    designer.wait_saved(2)
    assert project.layout.read_text(encoding="utf-8") == project.original
    designer.tab.wait_for_function("() => document.getElementById('prop-x').value === '21.5'")
    # typing not yet saved is the box's own: Ctrl+Z undoes the typing, not the file
    designer.tab.keyboard.type("9")
    designer.tab.keyboard.press("Control+z")
    designer.tab.wait_for_function("() => document.getElementById('prop-x').value === '21.5'")
    assert designer.saves() == 2 and project.layout.read_text(encoding="utf-8") == project.original


def test_item12_the_status_bar_shows_the_files_values_after_undo(designer: Designer, project: Project) -> None:
    z = designer.zoom()
    designer.drag(designer.point("front", 30, 20.5), 3.0 * z, 1.0 * z)
    designer.wait_saved(1)
    assert designer.tab.inner_text("#selection-info") == "birth x 24.5 y 19.4 w 36 h 4.2 mm"
    designer.tab.keyboard.press("Control+z")
    designer.wait_saved(2)
    assert project.layout.read_text(encoding="utf-8") == project.original
    assert designer.tab.inner_text("#selection-info") == "birth x 21.5 y 18.4 w 36 h 4.2 mm"


def test_item12_a_drop_near_the_page_edge_stays_where_it_was_dropped(designer: Designer, project: Project) -> None:
    """At the default zoom the magnet reaches about 0.4 mm: birth dropped 0.2 mm from the page's
    left edge was pulled onto it (x: 0), silently."""
    z = designer.zoom()
    assert 5 / z > 0.2                                      # the page edge is within the magnet's reach
    designer.drag(designer.point("front", 30, 20.5), -21.3 * z, 0)
    designer.wait_saved(1)
    assert project.element(0, "birth")["x"] == 0.2
    assert "snapped" not in designer.tab.inner_text("#message")


def test_item12_a_drop_snapped_to_an_edge_says_so(designer: Designer, project: Project) -> None:
    z = designer.zoom()
    # birth's right edge (57.5) dragged 4.3 mm lands 0.2 mm short of sex-label's left edge (62): it snaps to it
    designer.drag(designer.point("front", 30, 20.5), 4.3 * z, 0)
    designer.wait_saved(1)
    assert project.changed_lines() == ([BIRTH], [BIRTH.replace("x: 21.5", "x: 26")])
    assert designer.tab.inner_text("#message") == (
        "saved: move birth; snapped to another element's edge (x +0.2 mm from where it was dropped; hold Alt "
        "while dragging to place it freely)")


def test_a_resize_snapped_to_an_edge_says_so_too(designer: Designer, project: Project) -> None:
    """A handle pulled onto another element's edge moved it silently, where a drop says so."""
    z = designer.zoom()
    designer.tab.click("#element-list li.item[data-name=birth]")
    handle = designer.tab.locator(".handle-e").bounding_box()
    # birth's right edge (57.5) pulled 4.3 mm stops 0.2 mm short of sex-label's left edge (62): it snaps to it
    designer.drag((handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2), 4.3 * z, 0)
    designer.wait_saved(1)
    assert project.changed_lines() == ([BIRTH], [BIRTH.replace("w: 36", "w: 40.5")])
    assert designer.tab.inner_text("#message").endswith(
        "; snapped to another element's edge (x +0.2 mm from where it was dropped; hold Alt while dragging to "
        "place it freely)")


def test_a_long_status_never_moves_the_page(designer: Designer, project: Project) -> None:
    """The toolbar's status ("kokuho-card.yaml · up to date 10:22:03 PM") grows after 10 o'clock:
    it wrapped the toolbar onto a second line and moved the page 20 px under a drag in progress."""
    before = designer.tab.locator(".sheet[data-page=front] .paper").bounding_box()
    designer.tab.evaluate("() => { document.querySelector('#status').textContent = "
                          "'kokuho-card.yaml · up to date 10:22:03 PM' + ' · a much longer status'.repeat(8); }")
    after = designer.tab.locator(".sheet[data-page=front] .paper").bounding_box()
    assert (after["x"], after["y"]) == (before["x"], before["y"])
