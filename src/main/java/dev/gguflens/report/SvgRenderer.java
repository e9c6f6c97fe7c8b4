package dev.gguflens.report;

import dev.gguflens.report.PlotScene.Element;
import dev.gguflens.report.PlotScene.Point;
import dev.gguflens.report.PlotScene.Stroke;
import dev.gguflens.report.PlotScene.Tag;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link PlotScene} as a standalone SVG document (UTF-8). Every text, attribute value and
 * tag from the scene is escaped for XML, and characters XML cannot hold at all become U+FFFD, so a
 * model's name, whatever it contains, cannot break the document. Tagged elements carry their tag as a
 * {@code class} and {@code data-} attributes, so the figures behind the picture can be read back.
 */
public final class SvgRenderer {
    /** DejaVu Sans first (the widths the layout assumes), then fonts at least as narrow. */
    static final String FONTS = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, sans-serif";

    private SvgRenderer() {
    }

    /** The scene as an SVG document. */
    public static String render(PlotScene scene) {
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(scene.width()).append("\" height=\"")
                .append(scene.height()).append("\" viewBox=\"0 0 ").append(scene.width()).append(' ').append(scene.height())
                .append("\" font-family=\"").append(FONTS).append("\">\n");
        b.append("<title>").append(xml(scene.title())).append("</title>\n");
        for (Element e : scene.elements()) {
            element(b, e, "");
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static void element(StringBuilder b, Element e, String indent) {
        switch (e) {
            case PlotScene.Group g -> {
                b.append(indent).append("<g").append(tag(g.tag())).append(">\n");
                for (Element c : g.children()) {
                    element(b, c, indent + "  ");
                }
                b.append(indent).append("</g>\n");
            }
            case PlotScene.Line l -> b.append(indent).append("<line x1=\"").append(n(l.from().x())).append("\" y1=\"").append(n(l.from().y()))
                    .append("\" x2=\"").append(n(l.to().x())).append("\" y2=\"").append(n(l.to().y())).append('"')
                    .append(stroke(l.stroke())).append(tag(l.tag())).append("/>\n");
            case PlotScene.Polyline p -> {
                b.append(indent).append("<polyline points=\"");
                for (int i = 0; i < p.points().size(); i++) {
                    Point q = p.points().get(i);
                    b.append(i == 0 ? "" : " ").append(n(q.x())).append(',').append(n(q.y()));
                }
                b.append("\" fill=\"none\" stroke-linejoin=\"round\"").append(stroke(p.stroke())).append(tag(p.tag())).append("/>\n");
            }
            case PlotScene.Rect r -> {
                b.append(indent).append("<rect x=\"").append(n(r.x())).append("\" y=\"").append(n(r.y())).append("\" width=\"")
                        .append(n(r.width())).append("\" height=\"").append(n(r.height())).append("\" fill=\"")
                        .append(r.fill() == null ? "none" : xml(r.fill())).append('"');
                if (r.fill() != null && r.fillOpacity() < 1) {
                    b.append(" fill-opacity=\"").append(n(r.fillOpacity())).append('"');
                }
                b.append(stroke(r.stroke())).append(tag(r.tag())).append("/>\n");
            }
            case PlotScene.Marker m -> marker(b, m, indent);
            case PlotScene.Text t -> text(b, t, indent);
        }
    }

    private static void marker(StringBuilder b, PlotScene.Marker m, String indent) {
        // Filled symbols get a thin white rim so touching symbols stay apart; open ones a white inside.
        String paint = m.filled()
                ? " fill=\"" + xml(m.color()) + "\" stroke=\"#ffffff\" stroke-width=\"0.8\""
                : " fill=\"#ffffff\" stroke=\"" + xml(m.color()) + "\" stroke-width=\"1.6\"";
        List<Point> outline = m.shape().outline(m.at(), m.size());
        if (outline.isEmpty()) {
            b.append(indent).append("<circle cx=\"").append(n(m.at().x())).append("\" cy=\"").append(n(m.at().y())).append("\" r=\"")
                    .append(n(m.size() / 2)).append('"');
        } else {
            b.append(indent).append("<path d=\"");
            for (int i = 0; i < outline.size(); i++) {
                b.append(i == 0 ? "M" : " L").append(n(outline.get(i).x())).append(' ').append(n(outline.get(i).y()));
            }
            b.append(" Z\" stroke-linejoin=\"round\"");
        }
        b.append(paint).append(tag(m.tag())).append("/>\n");
    }

    private static void text(StringBuilder b, PlotScene.Text t, String indent) {
        b.append(indent).append("<text x=\"").append(n(t.at().x())).append("\" y=\"").append(n(t.at().y())).append("\" font-size=\"")
                .append(n(t.size())).append('"');
        switch (t.anchor()) {
            case START -> { }
            case MIDDLE -> b.append(" text-anchor=\"middle\"");
            case END -> b.append(" text-anchor=\"end\"");
        }
        if (t.bold()) {
            b.append(" font-weight=\"bold\"");
        }
        b.append(" fill=\"").append(xml(t.color())).append('"');
        if (t.rotation() != 0) {
            b.append(" transform=\"rotate(").append(n(t.rotation())).append(' ').append(n(t.at().x())).append(' ')
                    .append(n(t.at().y())).append(")\"");
        }
        if (t.halo()) {
            b.append(" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"");
        }
        b.append(tag(t.tag())).append('>').append(xml(t.text())).append("</text>\n");
    }

    private static String stroke(Stroke s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append(" stroke=\"").append(xml(s.color())).append("\" stroke-width=\"").append(n(s.width())).append('"');
        if (s.opacity() < 1) {
            b.append(" stroke-opacity=\"").append(n(s.opacity())).append('"');
        }
        if (s.dashed()) {
            b.append(" stroke-dasharray=\"6 4\"");
        }
        return b.toString();
    }

    private static String tag(Tag t) {
        if (t == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(" class=\"").append(xml(t.kind())).append('"');
        for (Map.Entry<String, String> e : t.data().entrySet()) {
            b.append(" data-").append(e.getKey()).append("=\"").append(xml(e.getValue())).append('"');
        }
        return b.toString();
    }

    /** A coordinate with at most two decimals. */
    private static String n(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.equals("-0") ? "0" : s;
    }

    /** {@code s} as XML character data or attribute value: markup escaped, characters XML forbids replaced by U+FFFD. */
    static String xml(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    boolean allowed = cp == 0x9 || cp == 0xA || cp == 0xD || cp >= 0x20 && cp <= 0xD7FF
                            || cp >= 0xE000 && cp <= 0xFFFD || cp >= 0x10000 && cp <= 0x10FFFF;
                    b.appendCodePoint(allowed ? cp : 0xFFFD);
                }
            }
        });
        return b.toString();
    }
}
