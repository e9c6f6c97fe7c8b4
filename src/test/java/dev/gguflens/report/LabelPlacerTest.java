package dev.gguflens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.report.LabelPlacer.Box;
import dev.gguflens.report.LabelPlacer.Placement;
import dev.gguflens.report.PlotScene.Point;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Point labels: beside their point, clear of each other and of the symbols, inside the plot. */
class LabelPlacerTest {
    private static final double R = 4.5;

    @Test
    void aLoneLabelSitsRightOfItsPointWithoutALeader() {
        LabelPlacer p = new LabelPlacer(new Box(0, 0, 400, 300));
        Point at = new Point(100, 100);
        p.symbol(at, R);
        Placement l = p.place(at, R, 40, 13);
        // Right of the point: its left edge the symbol's radius and a 3 px gap away, centred on the point's height.
        assertEquals(100 + R + 3, l.box().x(), 1e-9);
        assertEquals(100 - 6.5, l.box().y(), 1e-9);
        assertFalse(l.leader());
    }

    @Test
    void aLabelAtThePlotsRightEdgeGoesToTheLeft() {
        LabelPlacer p = new LabelPlacer(new Box(0, 0, 400, 300));
        Point at = new Point(390, 100);
        p.symbol(at, R);
        Placement l = p.place(at, R, 40, 13);
        assertEquals(390 - R - 3 - 40, l.box().x(), 1e-9);
    }

    @Test
    void crowdedPointsGetLabelsThatOverlapNeitherEachOtherNorAnySymbol() {
        // Twelve points on a diagonal, 12 px apart in each direction: the labels (48 x 13) cannot all sit to the right.
        LabelPlacer p = new LabelPlacer(new Box(0, 0, 600, 400));
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            points.add(new Point(200 + 12 * i, 100 + 12 * i));
        }
        points.forEach(q -> p.symbol(q, R));
        List<Box> boxes = new ArrayList<>();
        for (Point q : points) {
            Box b = p.place(q, R, 48, 13).box();
            assertTrue(b.inside(new Box(0, 0, 600, 400)), b.toString());
            boxes.add(b);
        }
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = i + 1; j < boxes.size(); j++) {
                assertEquals(0, boxes.get(i).overlap(boxes.get(j)), 1e-9, "labels " + i + " and " + j);
            }
            for (Point q : points) {
                Box symbol = new Box(q.x() - R, q.y() - R, 2 * R, 2 * R);
                assertEquals(0, boxes.get(i).overlap(symbol), 1e-9, "label " + i + " on the symbol at " + q);
            }
        }
    }

    @Test
    void aLabelIsNeverNearerToAnotherPointThanToItsOwnUnlessALeaderLinksIt() {
        // Two points one above the other, 12 px apart; the upper one's right side is taken by another label.
        LabelPlacer p = new LabelPlacer(new Box(0, 0, 400, 300));
        Point upper = new Point(100, 100);
        Point lower = new Point(100, 112);
        p.symbol(upper, R);
        p.symbol(lower, R);
        p.avoid(new Box(100 + R + 3, 80, 60, 24));
        Placement l = p.place(lower, R, 40, 13);
        Point nearOwn = l.box().nearest(lower);
        Point nearOther = l.box().nearest(upper);
        double own = Math.hypot(nearOwn.x() - lower.x(), nearOwn.y() - lower.y());
        double other = Math.hypot(nearOther.x() - upper.x(), nearOther.y() - upper.y());
        assertTrue(l.leader() || own < other, "own " + own + ", other " + other + ", " + l);
    }

    @Test
    void boxesKnowWhatCrossesThem() {
        Box b = new Box(10, 10, 20, 10);
        assertTrue(b.crosses(new Point(0, 15), new Point(40, 15)));
        assertTrue(b.crosses(new Point(15, 0), new Point(15, 12)), "ends inside");
        assertFalse(b.crosses(new Point(0, 0), new Point(40, 5)));
        assertFalse(b.crosses(new Point(0, 30), new Point(5, 0)));
        assertEquals(25, b.overlap(new Box(25, 5, 20, 10)), 1e-9); // x 25..30, y 10..15
    }
}
