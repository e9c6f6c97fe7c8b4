package dev.gguflens.report;

import dev.gguflens.report.PlotScene.Element;
import dev.gguflens.report.PlotScene.Point;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.TextLayout;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws a {@link PlotScene} into a PNG image with Java2D, off screen (no display needed): the same
 * elements, coordinates and colours as {@link SvgRenderer} writes, in DejaVu Sans where it is installed
 * (Java's own sans-serif font otherwise).
 */
public final class PngRenderer {
    private static final String FONT = "DejaVu Sans";

    private PngRenderer() {
    }

    /** The scene as PNG bytes. */
    public static byte[] render(PlotScene scene) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 * 1024);
        if (!ImageIO.write(draw(scene), "png", out)) {
            throw new IOException("no PNG writer in this Java runtime");
        }
        return out.toByteArray();
    }

    /** The scene drawn into an image of its size. */
    static BufferedImage draw(PlotScene scene) {
        BufferedImage img = new BufferedImage(scene.width(), scene.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, scene.width(), scene.height());
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            for (Element e : scene.elements()) {
                draw(g, e);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void draw(Graphics2D g, Element e) {
        switch (e) {
            case PlotScene.Group grp -> grp.children().forEach(c -> draw(g, c));
            case PlotScene.Line l -> {
                stroke(g, l.stroke());
                g.draw(new Line2D.Double(l.from().x(), l.from().y(), l.to().x(), l.to().y()));
            }
            case PlotScene.Polyline p -> {
                if (p.points().size() < 2) {
                    return;
                }
                Path2D.Double path = new Path2D.Double();
                path.moveTo(p.points().getFirst().x(), p.points().getFirst().y());
                for (Point q : p.points().subList(1, p.points().size())) {
                    path.lineTo(q.x(), q.y());
                }
                stroke(g, p.stroke());
                g.draw(path);
            }
            case PlotScene.Rect r -> {
                Rectangle2D.Double box = new Rectangle2D.Double(r.x(), r.y(), r.width(), r.height());
                if (r.fill() != null) {
                    g.setColor(color(r.fill(), r.fillOpacity()));
                    g.fill(box);
                }
                if (r.stroke() != null) {
                    stroke(g, r.stroke());
                    g.draw(box);
                }
            }
            case PlotScene.Marker m -> marker(g, m);
            case PlotScene.Text t -> text(g, t);
        }
    }

    private static void marker(Graphics2D g, PlotScene.Marker m) {
        List<Point> outline = m.shape().outline(m.at(), m.size());
        Shape s;
        if (outline.isEmpty()) {
            double r = m.size() / 2;
            s = new Ellipse2D.Double(m.at().x() - r, m.at().y() - r, 2 * r, 2 * r);
        } else {
            Path2D.Double p = new Path2D.Double();
            p.moveTo(outline.getFirst().x(), outline.getFirst().y());
            for (Point q : outline.subList(1, outline.size())) {
                p.lineTo(q.x(), q.y());
            }
            p.closePath();
            s = p;
        }
        Color c = color(m.color(), 1);
        g.setColor(m.filled() ? c : Color.WHITE);
        g.fill(s);
        g.setColor(m.filled() ? Color.WHITE : c);
        g.setStroke(new BasicStroke(m.filled() ? 0.8f : 1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND));
        g.draw(s);
    }

    private static void text(Graphics2D g, PlotScene.Text t) {
        if (t.text().isEmpty()) {
            return;
        }
        Font font = new Font(FONT, t.bold() ? Font.BOLD : Font.PLAIN, 12).deriveFont((float) t.size());
        TextLayout layout = new TextLayout(t.text(), font, g.getFontRenderContext());
        double width = layout.getAdvance();
        double dx = switch (t.anchor()) {
            case START -> 0;
            case MIDDLE -> -width / 2;
            case END -> -width;
        };
        AffineTransform saved = g.getTransform();
        g.translate(t.at().x(), t.at().y());
        g.rotate(Math.toRadians(t.rotation()));
        if (t.halo()) {
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(layout.getOutline(AffineTransform.getTranslateInstance(dx, 0)));
        }
        g.setColor(color(t.color(), 1));
        layout.draw(g, (float) dx, 0f);
        g.setTransform(saved);
    }

    private static void stroke(Graphics2D g, PlotScene.Stroke s) {
        float w = (float) s.width();
        g.setStroke(s.dashed()
                ? new BasicStroke(w, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
                : new BasicStroke(w, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND));
        g.setColor(color(s.color(), s.opacity()));
    }

    /** {@code #rrggbb} with an opacity. */
    private static Color color(String hex, double opacity) {
        int rgb = Integer.parseInt(hex.substring(1), 16);
        return new Color(rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF, (int) Math.round(Math.clamp(opacity, 0, 1) * 255));
    }
}
