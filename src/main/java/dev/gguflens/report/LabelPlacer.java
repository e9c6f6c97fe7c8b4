package dev.gguflens.report;

import dev.gguflens.report.PlotScene.Point;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts each point's label near its point where it covers no other label and no symbol, and stays inside
 * the plot: labels are placed one by one (the most important first), each at the cheapest of many
 * positions around its point, nearest first. A label that had to move away from its point gets a leader
 * line. Where no free position exists (a crowded corner) the label goes where it overlaps least.
 */
final class LabelPlacer {
    /** Labels nearer than this to their point need no leader line. */
    private static final double LEADER_AFTER = 9;
    /** Extra distances tried beyond the nearest position, in pixels. */
    private static final double[] STEPS = {0, 5, 11, 18, 27, 38, 52, 70};

    /** An axis-aligned box: {@code x, y} its top left corner. */
    record Box(double x, double y, double w, double h) {
        double right() {
            return x + w;
        }

        double bottom() {
            return y + h;
        }

        /** The area this box shares with {@code o}. */
        double overlap(Box o) {
            double dx = Math.min(right(), o.right()) - Math.max(x, o.x);
            double dy = Math.min(bottom(), o.bottom()) - Math.max(y, o.y);
            return dx > 0 && dy > 0 ? dx * dy : 0;
        }

        boolean inside(Box outer) {
            return x >= outer.x && y >= outer.y && right() <= outer.right() && bottom() <= outer.bottom();
        }

        /** Whether the segment {@code a-b} passes through this box (Liang-Barsky clipping). */
        boolean crosses(Point a, Point b) {
            double t0 = 0, t1 = 1;
            double dx = b.x() - a.x(), dy = b.y() - a.y();
            double[] p = {-dx, dx, -dy, dy};
            double[] q = {a.x() - x, right() - a.x(), a.y() - y, bottom() - a.y()};
            for (int i = 0; i < 4; i++) {
                if (p[i] == 0) {
                    if (q[i] < 0) {
                        return false;
                    }
                } else {
                    double t = q[i] / p[i];
                    if (p[i] < 0) {
                        t0 = Math.max(t0, t);
                    } else {
                        t1 = Math.min(t1, t);
                    }
                    if (t0 > t1) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** The point of this box nearest to {@code p}. */
        Point nearest(Point p) {
            return new Point(Math.clamp(p.x(), x, right()), Math.clamp(p.y(), y, bottom()));
        }
    }

    /**
     * Where a label went.
     *
     * @param box    the label's box
     * @param leader whether it is far enough from its point to need a line to it
     */
    record Placement(Box box, boolean leader) {
    }

    private final Box bounds;
    private final List<Box> labels = new ArrayList<>();
    private final List<Box> symbols = new ArrayList<>();
    private final List<Point> centres = new ArrayList<>();
    private final List<Point[]> lines = new ArrayList<>();
    private final List<Point[]> leaders = new ArrayList<>();

    /** A placer whose labels stay inside {@code bounds}. */
    LabelPlacer(Box bounds) {
        this.bounds = bounds;
    }

    /** Something labels must not cover, as if it were a label (a legend, another text). */
    void avoid(Box b) {
        labels.add(b);
    }

    /** A data symbol of radius {@code r} at {@code p}: labels keep off it. */
    void symbol(Point p, double r) {
        symbols.add(new Box(p.x() - r - 1, p.y() - r - 1, 2 * r + 2, 2 * r + 2));
        centres.add(p);
    }

    /** A line labels should rather not cross (the frontier, the budget line). */
    void line(Point a, Point b) {
        lines.add(new Point[] {a, b});
    }

    /** Places a label of {@code w x h} pixels for the symbol of radius {@code r} at {@code p}, and keeps it clear of later ones. */
    Placement place(Point p, double r, double w, double h) {
        Box best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        double gap = r + 3;
        for (double step : STEPS) {
            for (Box b : candidates(p, gap + step, w, h)) {
                if (!b.inside(bounds)) {
                    continue;
                }
                double cost = cost(b, p, r, step);
                if (cost < bestCost) {
                    bestCost = cost;
                    best = b;
                }
            }
        }
        if (best == null) {
            // Nothing fits inside the plot (a label wider than the room beside its point): clamp the nearest position into it.
            Box b = new Box(p.x() + gap, p.y() - h / 2, w, h);
            best = new Box(Math.clamp(b.x, bounds.x, Math.max(bounds.x, bounds.right() - w)),
                    Math.clamp(b.y, bounds.y, Math.max(bounds.y, bounds.bottom() - h)), w, h);
        }
        labels.add(best);
        Point near = best.nearest(p);
        boolean leader = Math.hypot(near.x() - p.x(), near.y() - p.y()) > r + LEADER_AFTER;
        if (leader) {
            leaders.add(new Point[] {p, near});
        }
        return new Placement(best, leader);
    }

    /** Positions at {@code d} pixels from {@code p}: beside, above, below, then the diagonals. */
    private static List<Box> candidates(Point p, double d, double w, double h) {
        double x = p.x(), y = p.y();
        double diag = d * 0.75;
        return List.of(
                new Box(x + d, y - h / 2, w, h), // right
                new Box(x - d - w, y - h / 2, w, h), // left
                new Box(x - w / 2, y - d - h, w, h), // above
                new Box(x - w / 2, y + d, w, h), // below
                new Box(x + diag, y - diag - h, w, h), // above right
                new Box(x + diag, y + diag, w, h), // below right
                new Box(x - diag - w, y - diag - h, w, h), // above left
                new Box(x - diag - w, y + diag, w, h), // below left
                new Box(x - w * 0.15, y - d - h, w, h), // above, leaning right
                new Box(x - w * 0.85, y - d - h, w, h), // above, leaning left
                new Box(x - w * 0.15, y + d, w, h), // below, leaning right
                new Box(x - w * 0.85, y + d, w, h)); // below, leaning left
    }

    /** A leader line from {@code p} to {@code end} should pass no other symbol, label or leader. */
    private double leaderCost(Point p, Point end, double r) {
        double cost = 0;
        for (Box s : symbols) {
            boolean own = Math.abs(s.x() + s.w() / 2 - p.x()) < 0.01 && Math.abs(s.y() + s.h() / 2 - p.y()) < 0.01;
            if (!own && s.crosses(p, end)) {
                cost += 40;
            }
        }
        for (Box l : labels) {
            if (l.crosses(p, end)) {
                cost += 40;
            }
        }
        for (Point[] l : leaders) {
            if (segmentsCross(p, end, l[0], l[1])) {
                cost += 30;
            }
        }
        return cost;
    }

    /** Whether segments {@code a-b} and {@code c-d} cross (touching ends do not count). */
    private static boolean segmentsCross(Point a, Point b, Point c, Point d) {
        double d1 = side(c, d, a), d2 = side(c, d, b), d3 = side(a, b, c), d4 = side(a, b, d);
        return d1 * d2 < 0 && d3 * d4 < 0;
    }

    private static double side(Point a, Point b, Point p) {
        return (b.x() - a.x()) * (p.y() - a.y()) - (b.y() - a.y()) * (p.x() - a.x());
    }

    /**
     * Covering a label or a symbol costs far more than any distance (300 and up, by the area covered); being
     * nearer to another point than to its own costs much; crossing a line costs a little; then nearer is better.
     */
    private double cost(Box b, Point p, double r, double step) {
        double cost = 0;
        for (Box l : labels) {
            double a = b.overlap(l);
            if (a > 0) {
                cost += 1000 + a * 10;
            }
        }
        for (Box s : symbols) {
            double a = b.overlap(s);
            if (a > 0) {
                cost += 300 + a * 5;
            }
        }
        for (Point[] l : lines) {
            if (b.crosses(l[0], l[1])) {
                cost += 12;
            }
        }
        // A label nearer to another point than to its own would be read as that point's (unless a leader line says whose).
        Point near = b.nearest(p);
        double own = Math.hypot(near.x() - p.x(), near.y() - p.y());
        if (own > r + LEADER_AFTER) {
            cost += leaderCost(p, near, r);
        }
        for (Point q : centres) {
            if (own > r + LEADER_AFTER || q.x() == p.x() && q.y() == p.y()) {
                continue;
            }
            Point n = b.nearest(q);
            if (Math.hypot(n.x() - q.x(), n.y() - q.y()) < own + 1) {
                cost += 80;
                break;
            }
        }
        return cost + step * 0.8 + Math.abs(near.y() - p.y()) * 0.05;
    }
}
