"""The union area from edges (hygis.analysis._arrangement) against GEOS's exact union, clipped per zone.

Overlapping, touching, duplicate, holed and tiling targets, zones that form a coverage (grids,
jittered tilings with holes and islands); overlapping zones are refused (None: the caller
falls back to GEOS).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
import shapely
from shapely import affinity

from hygis.analysis._arrangement import TOL_REL, union_area_by_zone
from hygis.analysis._sweep import box_pairs

REL = 1e-9


def exact(targets, zones):
    union = shapely.union_all(targets)
    return np.array([shapely.area(shapely.intersection(union, z)) for z in zones])


def assert_exact(targets, zones):
    got = union_area_by_zone(np.asarray(targets, dtype=object), np.asarray(zones, dtype=object))
    want = exact(targets, zones)
    assert got is not None
    assert np.abs(got - want).max() <= allowed(targets, zones, want), (got, want)
    return got


def allowed(targets, zones, want):
    """Floating point, plus the documented contact rule: edges closer than the tolerance
    (TOL_REL × the extent) count as lying on each other, moving at most tolerance × their length
    (a box and the same box turned by 1e-7 degrees: ~1e-6 of 100)."""
    everything = np.concatenate([np.asarray(targets, dtype=object), np.asarray(zones, dtype=object)])
    x0, y0, x1, y1 = shapely.total_bounds(everything)
    tol = TOL_REL * max(x1 - x0, y1 - y0, 1.0)
    return REL * max(float(want.max()), 1.0) + tol * float(shapely.length(np.asarray(targets, dtype=object)).sum())


def grid_zones(n=2, size=100.0):
    return [shapely.box(i * size, j * size, (i + 1) * size, (j + 1) * size) for i in range(n) for j in range(n)]


def jittered_tiling(n, box, rng):
    """A planar tiling of ``box`` by about ``n`` quads sharing their (jittered) vertices."""
    x0, y0, x1, y1 = box
    k = max(1, int(round(np.sqrt(n))))
    gx, gy = np.linspace(x0, x1, k + 1), np.linspace(y0, y1, k + 1)
    X, Y = np.meshgrid(gx, gy, indexing="ij")
    jx, jy = (gx[1] - gx[0]) * 0.3, (gy[1] - gy[0]) * 0.3
    X[1:-1, 1:-1] += rng.uniform(-jx, jx, (k - 1, k - 1))
    Y[1:-1, 1:-1] += rng.uniform(-jy, jy, (k - 1, k - 1))
    cells = []
    for i in range(k):
        for j in range(k):
            ring = [(X[a, b], Y[a, b]) for a, b in ((i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1))]
            cells.append(shapely.Polygon(ring))
    return cells


def rotated_squares(rng, n, lo=-10, hi=210, size=(2, 30)):
    c = rng.uniform(lo, hi, (n, 2))
    s = rng.uniform(*size, n)
    return [affinity.rotate(shapely.box(x - r, y - r, x + r, y + r), a)
            for (x, y), r, a in zip(c, s, rng.uniform(0, 90, n))]


@pytest.mark.parametrize("seed", range(4))
def test_overlapping_rotated_squares(seed):
    rng = np.random.default_rng(seed)
    assert_exact(rotated_squares(rng, 300), grid_zones())


def test_duplicates_and_reversed_duplicates():
    rng = np.random.default_rng(5)
    squares = rotated_squares(rng, 120)
    reversed_ = [shapely.Polygon(list(p.exterior.coords)[::-1]) for p in squares[:30]]
    assert_exact(squares + squares[:40] + reversed_, grid_zones())


def test_axis_aligned_boxes_touching_and_sharing_edges_with_zones():
    """Boxes on a 10 m lattice: shared edges, T-junctions, edges along zone borders, corners on corners."""
    rng = np.random.default_rng(2)
    c = rng.integers(-2, 20, (300, 2)) * 10.0
    boxes = list(shapely.box(c[:, 0], c[:, 1], c[:, 0] + rng.integers(1, 4, 300) * 10, c[:, 1] + 10))
    assert_exact(boxes, grid_zones())


def test_tiling_is_counted_once():
    rng = np.random.default_rng(3)
    tiles = jittered_tiling(400, (-5, -5, 205, 195), rng)
    got = assert_exact(tiles, grid_zones())
    assert got[0] == pytest.approx(100 * 100, rel=1e-12)


def test_holes_filled_by_other_polygons_and_rings():
    rng = np.random.default_rng(4)
    rings = []
    for x, y, r in rng.uniform(0, 200, (40, 3)) * [1, 1, 0.2]:
        outer = shapely.Point(x, y).buffer(r + 1)
        rings.append(outer.difference(shapely.Point(x, y).buffer(r / 2)))
        if x > 100:  # this hole is filled exactly by another polygon
            rings.append(shapely.Polygon(rings[-1].interiors[0]))
    assert_exact(rings + rotated_squares(rng, 60), grid_zones())


def test_multipolygons_and_zones_with_holes_and_islands():
    rng = np.random.default_rng(6)
    outer = shapely.box(0, 0, 200, 200).difference(shapely.box(80, 80, 120, 120))
    island = shapely.box(80, 80, 120, 120)
    zones = [outer, island]
    targets = rotated_squares(rng, 150)
    multis = [shapely.MultiPolygon([a, b]) for a, b in zip(targets[:20:2], targets[1:20:2]) if not a.intersects(b)]
    assert_exact(targets[20:] + multis, zones)


def test_jittered_zones_and_targets_outside_every_zone():
    rng = np.random.default_rng(7)
    zones = jittered_tiling(30, (0, 0, 200, 200), rng)
    targets = rotated_squares(rng, 300, lo=-60, hi=260)
    assert_exact(targets, zones)


def test_zones_that_overlap_are_refused():
    targets = [shapely.box(0, 0, 10, 10)]
    assert union_area_by_zone(np.array(targets), np.array([shapely.box(0, 0, 8, 8), shapely.box(5, 5, 15, 15)])) is None
    nested = np.array([shapely.box(0, 0, 20, 20), shapely.box(5, 5, 8, 8)])
    assert union_area_by_zone(np.array(targets), nested) is None


def test_nothing_to_cover():
    zones = np.array(grid_zones())
    assert (union_area_by_zone(np.array([shapely.box(500, 500, 510, 510)]), zones) == 0).all()
    assert (union_area_by_zone(np.empty(0, object), zones) == 0).all()


def test_box_pairs_are_exactly_the_meeting_boxes():
    rng = np.random.default_rng(8)
    c = rng.uniform(0, 100, (800, 2))
    a = np.c_[c, c + rng.uniform(0, 6, (800, 2))]
    c = rng.uniform(0, 100, (300, 2))
    b = np.c_[c, c + rng.uniform(0, 2, (300, 2))]
    b[:20, 2:] = b[:20, :2]  # points

    def brute(p, q, self_join):
        meet = ((p[:, None, 0] <= q[None, :, 2]) & (q[None, :, 0] <= p[:, None, 2])
                & (p[:, None, 1] <= q[None, :, 3]) & (q[None, :, 1] <= p[:, None, 3]))
        i, j = np.nonzero(meet)
        if self_join:
            keep = i < j
            i, j = i[keep], j[keep]
        return set(zip(i.tolist(), j.tolist()))

    found = [pair for i, j in box_pairs(a) for pair in zip(np.minimum(i, j).tolist(), np.maximum(i, j).tolist())]
    assert len(found) == len(set(found)) and set(found) == brute(a, a, True)
    found = [pair for i, j in box_pairs(a, b) for pair in zip(i.tolist(), j.tolist())]
    assert len(found) == len(set(found)) and set(found) == brute(a, b, False)


def test_rotated_boxes_along_each_other():
    """Found by the property test: edges of the two boxes run along each other, their x0 one unit in
    the last place apart."""
    polys = [affinity.rotate(shapely.box(20, 0, 30, 30), 1.0, origin=(20, 0)),
             affinity.rotate(shapely.box(20, -10, 30, 20), 1.0, origin=(20, -10))]
    assert_exact(polys, jittered_tiling(9, (-10, -10, 130, 130), np.random.default_rng(2)))


def test_edges_within_the_tolerance_count_as_lying_on_each_other():
    """Found by the property test: a box and the same box turned by 1.4e-7 degrees (corners 2e-8
    apart, below the tolerance): the area moved stays below tolerance × length, 1e-8 relative."""
    box = shapely.box(0, 0, 10, 10)
    polys = [box, affinity.rotate(box, 1.4e-7, origin=(0, 0))]
    got = assert_exact(polys, jittered_tiling(9, (-10, -10, 130, 130), np.random.default_rng(2)))
    assert abs(got.sum() - shapely.union_all(polys).area) <= 1e-6 * 100


def test_box_pairs_once_when_x0_differ_in_the_last_place():
    """Boxes whose x0 are one unit in the last place apart get equal sweep keys once shifted by the
    frame's left edge (a pair found from both boxes counted its crossings twice: a union area
    came out negative)."""
    x = np.nextafter(1.0, 2.0)  # x - (-1) rounds to 2.0, as 1.0 - (-1) does
    a = np.array([[x, 0.0, 2.0, 30.0], [1.0, -10.0, 2.0, 20.0], [-1.0, -10.0, -0.5, -9.5]])
    for boxes in (a, a[:2]):
        found = [tuple(sorted(p)) for i, j in box_pairs(boxes) for p in zip(i.tolist(), j.tolist())]
        assert sorted(found) == [(0, 1)]


# property test: random polygons on a coarse lattice (so that vertices, edges and whole polygons
# coincide often), some with holes, some duplicated or reversed, zones a jittered coverage
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

lattice = st.integers(-2, 12).map(lambda v: v * 10.0)


@st.composite
def polygon(draw):
    kind = draw(st.sampled_from(["box", "triangle", "holed", "rotated"]))
    x, y = draw(lattice), draw(lattice)
    w, h = draw(st.integers(1, 5)) * 10.0, draw(st.integers(1, 5)) * 10.0
    if kind == "box":
        return shapely.box(x, y, x + w, y + h)
    if kind == "triangle":
        return shapely.Polygon([(x, y), (x + w, y), (x, y + h)])
    if kind == "holed":
        return shapely.box(x, y, x + w + 20, y + h + 20).difference(shapely.box(x + 10, y + 10, x + w + 10, y + h + 10))
    return affinity.rotate(shapely.box(x, y, x + w, y + h), draw(st.floats(0, 90)), origin=(x, y))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(polygon(), min_size=1, max_size=25), st.integers(0, 3), st.booleans())
def test_property_union_area_matches_geos(polys, dup, grid):
    polys = [p for p in polys if p.area > 0]
    polys += polys[:dup] + [shapely.Polygon(list(p.exterior.coords)[::-1]) for p in polys[dup:dup + 1]
                            if p.geom_type == "Polygon" and not p.interiors]
    zones = grid_zones(2, 60.0) if grid else jittered_tiling(9, (-10, -10, 130, 130), np.random.default_rng(len(polys)))
    if polys:
        assert_exact(polys, zones)


def test_ring_edges_renumbered_equal_edges_of_reordered_polygons():
    from hygis.analysis._rings import ring_edges

    polys = np.array([shapely.box(0, 0, 1, 1),
                      shapely.box(0, 0, 5, 5).difference(shapely.box(1, 1, 2, 2)).difference(shapely.box(3, 3, 4, 4)),
                      shapely.Polygon([(0, 0), (0, 2), (2, 0)]),  # clockwise: reversed
                      shapely.box(3, 3, 6, 6).difference(shapely.box(4, 4, 5, 5))], dtype=object)
    order = np.array([2, 0, 3, 1])
    for want, got in zip(ring_edges(polys[order]), ring_edges(polys, order)):
        assert np.array_equal(want, got)


@pytest.mark.parametrize("block_rows", [1, 5, 64])
def test_pieces_in_many_small_blocks_of_whole_rings(monkeypatch, block_rows):
    """The pieces are classified in blocks of whole rings (on two threads): with blocks of a few
    rows every ring is a block of its own, and the areas are still GEOS's, holes and zones included."""
    import hygis.analysis._arrangement as arrangement

    monkeypatch.setattr(arrangement, "BLOCK_ROWS", block_rows)
    monkeypatch.setattr(arrangement, "BLOCK_THREADS_MIN", 0)
    monkeypatch.setattr(arrangement, "THREADS", True)  # whatever the machine's load
    rng = np.random.default_rng(block_rows)
    holed = [shapely.box(0, 0, 80, 80).difference(shapely.box(20, 20, 60, 60)), shapely.box(30, 30, 40, 40)]
    assert_exact(rotated_squares(rng, 150) + holed, grid_zones())
    zones = jittered_tiling(9, (-10, -10, 130, 130), rng)
    assert_exact(jittered_tiling(40, (0, 0, 100, 100), rng) + holed, zones)


def test_worker_threads_only_with_a_core_to_spare(monkeypatch):
    import os

    import hygis.analysis._arrangement as arrangement
    from hygis.core import cpu

    monkeypatch.setattr(arrangement, "WORKERS", 2)
    monkeypatch.delenv("HYGIS_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    # what runs now decides, not the lagging 1-minute load average
    monkeypatch.setattr(os, "getloadavg", lambda: (1.9, 1.9, 1.9))
    monkeypatch.setattr(cpu, "others_running", lambda: 0)
    assert arrangement.use_threads()
    monkeypatch.setattr(cpu, "others_running", lambda: 2)
    assert not arrangement.use_threads()
    # without a running count (macOS): the load average
    monkeypatch.setattr(cpu, "others_running", lambda: None)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.7, 0.7, 0.7))
    assert arrangement.use_threads()
    monkeypatch.setattr(os, "getloadavg", lambda: (1.5, 3.0, 3.0))
    assert not arrangement.use_threads()
    # the environment decides over the load (benchmarks comparing code at equal settings)
    monkeypatch.setenv("HYGIS_THREADS", "1")
    assert arrangement.use_threads()
    monkeypatch.setenv("HYGIS_THREADS", "0")
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert not arrangement.use_threads()
    monkeypatch.setenv("HYGIS_THREADS", "many")  # not a setting: the load decides
    assert arrangement.use_threads()
    monkeypatch.setattr(arrangement, "THREADS", True)
    assert arrangement.use_threads()


@pytest.mark.skipif(not os.path.exists("/proc/loadavg"), reason="reads Linux's /proc/loadavg")
def test_other_processes_running_now_are_counted_and_own_threads_are_not():
    import threading

    from hygis.core.cpu import others_running

    spin = "import time\nend = time.time() + 30\nwhile time.time() < end:\n    pass\n"
    children = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(2)]
    try:
        time.sleep(0.3)
        seen = max(others_running() for _ in range(50))
    finally:
        for child in children:
            child.kill()
            child.wait()
    assert seen >= 2  # two busy processes: both runnable
    baseline = max(others_running() for _ in range(50))
    stop = threading.Event()
    big = np.random.default_rng(0).random(2_000_000)

    def busy():  # numpy releases the GIL: both threads run at once
        while not stop.is_set():
            np.sort(big)

    mine = [threading.Thread(target=busy) for _ in range(2)]
    for t in mine:
        t.start()
    try:
        time.sleep(0.2)
        counts = [others_running() for _ in range(50)]
    finally:
        stop.set()
        for t in mine:
            t.join()
    assert min(counts) <= baseline  # this process's running threads are not "others"
