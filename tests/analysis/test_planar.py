"""The overlap test from matching edges (hygis.analysis._planar) and the planar mode of the edge
arrangement (no target × target pairs), against GEOS: union areas and coverage checks."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygis.analysis._arrangement import edge_areas, union_area_by_zone
from hygis.analysis._overlay import is_planar
from hygis.analysis._planar import planar_by_edges
from tests.analysis.test_arrangement import allowed, exact, grid_zones, jittered_tiling, polygon


def overlaps(polys) -> bool:
    """GEOS: the union is smaller than the sum of the areas."""
    total = float(shapely.area(polys).sum())
    return float(shapely.area(shapely.union_all(polys))) < total * (1 - 1e-9)


def test_tilings_and_filled_holes_do_not_overlap():
    rng = np.random.default_rng(3)
    cells = np.array(jittered_tiling(400, (0, 0, 200, 200), rng), dtype=object)
    assert planar_by_edges(cells) is True
    assert planar_by_edges(cells[::3]) is True  # with gaps: more unmatched edges
    ring = shapely.box(300, 0, 330, 30).difference(shapely.box(310, 10, 320, 20))
    assert planar_by_edges(np.array([ring, shapely.box(310, 10, 320, 20), shapely.box(330, 0, 340, 30)])) is True
    assert is_planar(cells) is True


def test_overlaps_are_found():
    rng = np.random.default_rng(4)
    cells = jittered_tiling(100, (0, 0, 100, 100), rng)
    dup = np.array(cells + cells[5:6], dtype=object)
    assert planar_by_edges(dup) is False  # the same edges in the same direction
    inner = np.array(cells + [shapely.box(44, 44, 46, 46)], dtype=object)
    assert planar_by_edges(inner) is False  # a polygon inside another, touching nothing
    shifted = np.array(cells[:7] + [shapely.transform(cells[7], lambda a: a + [1.5, 0])] + cells[8:], dtype=object)
    assert planar_by_edges(shifted) in (False, None)  # edges crossing: GEOS decides
    for polys in (dup, inner, shifted):
        assert is_planar(polys) is False


def test_touching_without_shared_vertices_is_left_to_geos():
    # a cell split in two next to an unsplit neighbour: a vertex on the neighbour's edge
    polys = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 5), shapely.box(10, 5, 20, 10)])
    assert planar_by_edges(polys) is None
    assert is_planar(polys) == bool(shapely.coverage_is_valid(polys))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(polygon(), min_size=2, max_size=20), st.booleans())
def test_property_verdict_matches_geos(polys, carve):
    polys = [p for p in polys if p.area > 0]
    if carve:  # a planar set: each polygon minus the ones before it
        out, seen = [], shapely.Polygon()
        for p in polys:
            q = shapely.difference(p, seen)
            seen = shapely.union(seen, p)
            out += [g for g in shapely.get_parts(q) if g.geom_type == "Polygon" and g.area > 1e-6]
        polys = out
    if len(polys) < 2:
        return
    polys = np.array(polys, dtype=object)
    verdict = planar_by_edges(polys)
    if verdict is not None:
        assert verdict == (not overlaps(polys))


@st.composite
def planar_set(draw):
    """Lattice polygons minus the ones drawn before them (shared edges with and without shared
    vertices), or cells of a jittered tiling with some left out."""
    if draw(st.booleans()):
        cells = jittered_tiling(draw(st.integers(4, 64)), (-10, -10, 130, 130),
                                np.random.default_rng(draw(st.integers(0, 99))))
        keep = draw(st.lists(st.booleans(), min_size=len(cells), max_size=len(cells)))
        return [c for c, k in zip(cells, keep) if k]
    out, seen = [], shapely.Polygon()
    for p in draw(st.lists(polygon(), min_size=1, max_size=20)):
        q = shapely.difference(p, seen)
        seen = shapely.union(seen, p)
        out += [g for g in shapely.get_parts(q) if g.geom_type == "Polygon" and g.area > 1e-6]
    return out


def exact_planar(polys, zones):
    """Covered area per zone of targets that do not overlap: GEOS's intersection areas, summed."""
    return np.array([shapely.area(shapely.intersection(polys, z)).sum() for z in zones])


def test_planar_mode_where_geos_union_all_drops_a_piece():
    """Five touching polygons (a triangle cut by another along a nearly collinear edge): GEOS
    3.14's union_all loses the 178 m² piece (783.3 instead of 961.5; no two overlap), the planar
    mode and the full arrangement do not."""
    def tri(x, y, w, h):
        return shapely.Polygon([(x, y), (x + w, y), (x, y + h)])

    out, seen = [], shapely.Polygon()
    for p in (shapely.box(0, 0, 10, 10), shapely.box(0, 10, 10, 20), tri(30, 0, 50, 10), tri(50, -10, 40, 30)):
        q = shapely.difference(p, seen)
        seen = shapely.union(seen, p)
        out += [g for g in shapely.get_parts(q) if g.geom_type == "Polygon" and g.area > 1e-6]
    polys = np.array(out, dtype=object)
    assert len(polys) == 5
    zones = np.array(jittered_tiling(9, (-10, -10, 130, 130), np.random.default_rng(5)), dtype=object)
    want = exact_planar(polys, zones)
    assert abs(want.sum() - shapely.area(polys).sum()) < 1e-9  # all inside the zones, no overlaps
    for got in (union_area_by_zone(polys, zones, planar=True), edge_areas(polys, zones, True),
                union_area_by_zone(polys, zones)):
        assert np.abs(got - want).max() <= 1e-9 * want.max(), (got, want)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planar_set(), st.booleans())
def test_property_planar_mode_matches_geos(polys, grid):
    """Planar targets through the planar mode (zone pairs only) and through edge_areas' short cut.

    The reference is GEOS's area of each target ∩ zone, summed (the targets do not overlap: the
    union's area is the sum) -- not GEOS's union_all, which can drop a piece that touches another
    along a nearly collinear edge (see the test below)."""
    if not polys:
        return
    polys = np.array(polys, dtype=object)
    zones = np.array(grid_zones(2, 60.0) if grid else jittered_tiling(9, (-10, -10, 130, 130),
                                                                       np.random.default_rng(len(polys))), dtype=object)
    want = exact_planar(polys, zones)
    for got in (union_area_by_zone(polys, zones, planar=True), edge_areas(polys, zones, True)):
        assert got is not None
        assert np.abs(got - want).max() <= allowed(polys, zones, want), (got, want)


@pytest.mark.parametrize("seed", range(3))
def test_planar_mode_on_a_tiling_cut_by_jittered_zones(seed):
    rng = np.random.default_rng(seed)
    cells = np.array(jittered_tiling(900, (0, 0, 300, 300), rng), dtype=object)
    zones = np.array(jittered_tiling(16, (-20, -20, 330, 330), rng), dtype=object)
    assert is_planar(cells)
    got = edge_areas(cells, zones, True)
    want = exact(cells, zones)
    assert np.abs(got - want).max() <= 1e-9 * want.max()


def test_planar_targets_away_from_zone_edges_count_whole_in_their_zone():
    """Small cells far from every zone edge count whole in the zone around them (a zone with a
    hole, an island zone in it, cells in the hole belonging to no zone, a holed target around the
    island); the rest go through the edges."""
    ring_zone = shapely.box(0, 0, 300, 300).difference(shapely.box(100, 100, 200, 200))
    island = shapely.box(130, 130, 170, 170)
    zones = np.array([ring_zone, island, shapely.box(300, 0, 400, 300)], dtype=object)
    cells = [shapely.box(x, y, x + 4, y + 4) for x in range(2, 396, 7) for y in range(2, 296, 7)
             if not (95 < x < 205 and 95 < y < 205)]
    cells += [shapely.box(110, 110, 190, 190).difference(shapely.box(120, 120, 180, 180)),
              shapely.box(140, 140, 150, 150), shapely.box(102, 102, 106, 106)]
    cells = np.array(cells, dtype=object)
    assert is_planar(cells)
    want = exact(cells, zones)
    got = edge_areas(cells, zones, True)
    assert np.abs(got - want).max() <= 1e-9 * want.max(), (got, want)


@pytest.mark.parametrize("threads", [True, False])
def test_overlap_the_sample_misses_still_takes_the_general_path(monkeypatch, threads):
    """covered_areas computes the planar areas while the exact test runs (on a worker thread); a
    tiling with one overlap outside the sampled pairs must still come out as the exact union."""
    import hygis.analysis._arrangement as arrangement
    from hygis.analysis._overlay import planar_by_sample, planar_exactly

    monkeypatch.setattr(arrangement, "THREADS", threads)
    rng = np.random.default_rng(11)
    cells = jittered_tiling(6400, (0, 0, 200, 200), rng)
    for k in range(len(cells)):  # a cell whose overlap the sample does not see
        polys = np.array(cells + [shapely.buffer(cells[k], -0.2)], dtype=object)
        if planar_by_sample(polys) is None:
            break
    else:
        pytest.fail("the sample saw every overlap")
    assert planar_exactly(polys) is False
    zones = np.array(grid_zones(2), dtype=object)
    rows, planar = arrangement.covered_areas(polys, zones)
    assert planar is False
    want = exact(polys, zones)
    assert np.abs(rows - want).max() <= allowed(polys, zones, want)
    # the planar short cut alone would count the extra polygon twice: the test can tell
    wrong = edge_areas(polys, zones, True)
    assert np.abs(wrong - want).max() > allowed(polys, zones, want)
