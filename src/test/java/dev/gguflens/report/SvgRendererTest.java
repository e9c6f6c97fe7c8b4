package dev.gguflens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.report.PlotScene.Anchor;
import dev.gguflens.report.PlotScene.Point;
import dev.gguflens.report.PlotScene.Tag;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** The SVG writer: a well-formed document whatever the texts hold. */
class SvgRendererTest {

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void markupInTextsAndAttributesIsEscapedAndReadsBackAsWritten() throws Exception {
        String name = "a<b>&\"c'd.gguf";
        PlotScene scene = new PlotScene(300, 200, "title " + name, List.of(
                new PlotScene.Group(new Tag("series", Map.of("model", name)), List.of(
                        PlotScene.Text.of(10, 20, name, 12, Anchor.START, "#000000")))));
        Document d = parse(SvgRenderer.render(scene));
        Element svg = d.getDocumentElement();
        assertEquals("svg", svg.getLocalName());
        assertEquals("300", svg.getAttribute("width"));
        assertEquals("200", svg.getAttribute("height"));
        assertEquals("title " + name, d.getElementsByTagName("title").item(0).getTextContent());
        Element g = (Element) d.getElementsByTagName("g").item(0);
        assertEquals(name, g.getAttribute("data-model"));
        assertEquals(name, d.getElementsByTagName("text").item(0).getTextContent());
    }

    @Test
    void charactersXmlCannotHoldBecomeReplacementCharacters() throws Exception {
        // NUL, ESC, U+FFFE and an unpaired surrogate cannot appear in XML 1.0, not even as references.
        String bad = "x\u0000y\u001bz\ufffe\ud800!";
        PlotScene scene = new PlotScene(10, 10, "t", List.of(PlotScene.Text.of(1, 1, bad, 12, Anchor.START, "#000000")));
        Document d = parse(SvgRenderer.render(scene));
        assertEquals("x\ufffdy\ufffdz\ufffd\ufffd!", d.getElementsByTagName("text").item(0).getTextContent());
    }

    @Test
    void markersAreCirclesOrClosedOutlines() throws Exception {
        PlotScene scene = new PlotScene(100, 100, "t", List.of(
                new PlotScene.Marker(new Point(50, 50), PlotScene.MarkerShape.CIRCLE, 10, "#0072B2", true, Tag.of("dot")),
                new PlotScene.Marker(new Point(20, 20), PlotScene.MarkerShape.SQUARE, 10, "#D55E00", false, Tag.of("dot"))));
        Document d = parse(SvgRenderer.render(scene));
        Element circle = (Element) d.getElementsByTagName("circle").item(0);
        assertEquals("50", circle.getAttribute("cx"));
        assertEquals("5", circle.getAttribute("r"));
        assertEquals("#0072B2", circle.getAttribute("fill"));
        Element square = (Element) d.getElementsByTagName("path").item(0);
        assertEquals("#ffffff", square.getAttribute("fill"), "an open symbol is white inside");
        assertEquals("#D55E00", square.getAttribute("stroke"));
        assertEquals(5, square.getAttribute("d").split("[ML]").length, "M, then four corners' worth: " + square.getAttribute("d"));
    }
}
