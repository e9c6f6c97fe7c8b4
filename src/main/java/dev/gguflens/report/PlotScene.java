package dev.gguflens.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A picture as a list of drawing elements in pixel coordinates (origin top left, y down), laid out once
 * and then drawn by {@link SvgRenderer} or {@link PngRenderer}: both formats show the same scene.
 *
 * @param width    the picture's width in pixels
 * @param height   the picture's height in pixels
 * @param title    what the picture shows, in one line (the SVG's title)
 * @param elements drawn in order: later elements paint over earlier ones
 */
public record PlotScene(int width, int height, String title, List<Element> elements) {

    public PlotScene {
        elements = List.copyOf(elements);
    }

    /** A point of the picture. */
    public record Point(double x, double y) {
    }

    /**
     * What an element stands for, for readers of the SVG (a class and {@code data-} attributes); null on pure decoration.
     *
     * @param kind the element's class ({@code dot}, {@code frontier}, {@code budget}, ...)
     * @param data named values ({@code ftype=Q4_K_M}, {@code bytes=905280}), in the order given
     */
    public record Tag(String kind, Map<String, String> data) {
        public Tag {
            data = data == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
        }

        public static Tag of(String kind) {
            return new Tag(kind, Map.of());
        }
    }

    /** How a line or outline is drawn: a colour ({@code #rrggbb}), a width, an opacity, solid or dashed. */
    public record Stroke(String color, double width, double opacity, boolean dashed) {
        public static Stroke solid(String color, double width) {
            return new Stroke(color, width, 1, false);
        }
    }

    /** One thing to draw. */
    public sealed interface Element permits Group, Line, Polyline, Rect, Marker, Text {
    }

    /** Elements that belong together (one model's series), drawn in order. */
    public record Group(Tag tag, List<Element> children) implements Element {
        public Group {
            children = List.copyOf(children);
        }
    }

    /** A straight line. */
    public record Line(Point from, Point to, Stroke stroke, Tag tag) implements Element {
    }

    /** Connected straight lines through the points in order. */
    public record Polyline(List<Point> points, Stroke stroke, Tag tag) implements Element {
        public Polyline {
            points = List.copyOf(points);
        }
    }

    /** A rectangle; a null fill or stroke is not painted. */
    public record Rect(double x, double y, double width, double height, String fill, double fillOpacity, Stroke stroke, Tag tag)
            implements Element {
    }

    /**
     * A data point's symbol centred on a point.
     *
     * @param size   the symbol's width and height in pixels
     * @param filled filled with its colour, or white inside a coloured outline
     */
    public record Marker(Point at, MarkerShape shape, double size, String color, boolean filled, Tag tag) implements Element {
    }

    /** Where a text's anchor point is along the text. */
    public enum Anchor { START, MIDDLE, END }

    /**
     * A line of text.
     *
     * @param at       the anchor point on the baseline
     * @param size     the font size in pixels
     * @param rotation degrees clockwise about the anchor (-90: reads upwards)
     * @param halo     drawn on a white outline, so it stays readable over lines
     */
    public record Text(Point at, String text, double size, Anchor anchor, boolean bold, String color, double rotation, boolean halo,
                       Tag tag) implements Element {
        public static Text of(double x, double y, String text, double size, Anchor anchor, String color) {
            return new Text(new Point(x, y), text, size, anchor, false, color, 0, false, null);
        }

        public Text inBold() {
            return new Text(at, text, size, anchor, true, color, rotation, halo, tag);
        }

        public Text withHalo() {
            return new Text(at, text, size, anchor, bold, color, rotation, true, tag);
        }

        public Text rotated(double degrees) {
            return new Text(at, text, size, anchor, bold, color, degrees, halo, tag);
        }

        public Text tagged(Tag t) {
            return new Text(at, text, size, anchor, bold, color, rotation, halo, t);
        }
    }

    /** A data point's symbol; one per series, so series differ in shape as well as colour. */
    public enum MarkerShape {
        CIRCLE, SQUARE, TRIANGLE, DIAMOND, TRIANGLE_DOWN, HEXAGON, STAR, PENTAGON;

        /** The outline's corners for a symbol of {@code size} centred on {@code c}; empty for the circle. */
        public List<Point> outline(Point c, double size) {
            double r = size / 2;
            return switch (this) {
                case CIRCLE -> List.of();
                // Squares and diamonds look larger than circles of the same width: drawn a little smaller.
                case SQUARE -> regular(c, r * 0.88 * Math.sqrt(2), 4, 45);
                case DIAMOND -> regular(c, r * 1.1, 4, 0);
                // Triangles' centre of mass sits low in their box: moved so they look centred on the point.
                case TRIANGLE -> regular(new Point(c.x(), c.y() + r * 0.2), r * 1.2, 3, 0);
                case TRIANGLE_DOWN -> regular(new Point(c.x(), c.y() - r * 0.2), r * 1.2, 3, 180);
                case HEXAGON -> regular(c, r * 1.05, 6, 0);
                case PENTAGON -> regular(c, r * 1.08, 5, 0);
                case STAR -> star(c, r * 1.25, r * 0.55);
            };
        }

        /** A regular polygon of {@code n} corners at {@code radius}, the first at {@code degrees} clockwise from the top. */
        private static List<Point> regular(Point c, double radius, int n, double degrees) {
            List<Point> p = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                double a = Math.toRadians(degrees + 360.0 * i / n);
                p.add(new Point(c.x() + radius * Math.sin(a), c.y() - radius * Math.cos(a)));
            }
            return p;
        }

        private static List<Point> star(Point c, double outer, double inner) {
            List<Point> p = new ArrayList<>(10);
            for (int i = 0; i < 10; i++) {
                double a = Math.toRadians(36.0 * i);
                double rad = i % 2 == 0 ? outer : inner;
                p.add(new Point(c.x() + rad * Math.sin(a), c.y() - rad * Math.cos(a)));
            }
            return p;
        }
    }
}
